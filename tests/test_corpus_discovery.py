"""Bad-input corpus: careless drops that must never become the truth (discovery and the
plausibility gate), each through `greentrack run`.

Every case adds to the clean drop a file or folder that, taken as the newest version, would
move a headline. Cases breaking different sources share one run (two in `make test`):
- RUN_GATE: a header-only newer registrations export, a taxi register dated 2099, a bus
  ledger whose 车辆台账 sheet is hidden, each rejected by name (exit 3); and, in the same
  drop, entries that are never read: a backup copy `… - 副本.csv`, stray folders in
  surveys/, a FIFO, a symlink to /dev/zero and one out of data_raw/, all listed in one
  warning of the run's output and in audit.ignored_files.
- RUN_VERSIONS: a newer registrations export with 40 of 74 records, two taxi registers of
  one date, a bus ledger the service user cannot read. Each rejected by name: exit 3.
In every run the headline (metrics.target_gap) equals the clean run's.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import duckdb
import openpyxl
import pytest

from assets.ingest.plausibility import run_day
from tests.fixtures.bad_inputs import taicang_drop as drop
from tests.fixtures.bad_inputs.harness import (
    WAREHOUSE,
    audit_rows,
    finishes_within,
    headline,
    run_case,
)
from tests.source_files import (
    BUS_HEADER,
    REGISTRATION_HEADER,
    TAXI_HEADER,
    write_bus_ledger,
    write_csv,
)

NEW_REGISTRATIONS = "registrations/registrations_20251130.csv"
FUTURE_TAXIS = "taxi_fleet/taxi_fleet_20990101.csv"
HIDDEN_LEDGER = "bus_fleet/bus_fleet_20251130.xlsx"
TAXIS_LOWER = "taxi_fleet/taxi_fleet_20251130.csv"
TAXIS_UPPER = "taxi_fleet/taxi_fleet_20251130.CSV"
LOCKED_LEDGER = "bus_fleet/bus_fleet_20251130.xlsx"
BACKUP = "registrations/registrations_20251031 - 副本.csv"
FIFO = "taxi_fleet/taxi_fleet_20251201.csv"
DEVICE_LINK = "bus_fleet/bus_fleet_20251201.xlsx"


def diesel_taxis() -> list[str]:
    """A register that, if taken as the truth, would send the taxi share to 0."""
    return [row.replace(",纯电动,", ",汽油,") for row in drop.taxi_rows()]


def diesel_buses() -> list[list]:
    return [drop.bus_row(i, powertrain_label="柴油") for i in range(1, drop.FLEET_SIZE + 1)]


def write_hidden_ledger(path: Path, rows: list[list]) -> None:
    """A workbook whose visible sheet is a cover page and whose 车辆台账 is hidden."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    book.active.title = "封面"
    book.active.append(["draft"])
    ledger = book.create_sheet("车辆台账")
    ledger.append(BUS_HEADER)
    for row in rows:
        ledger.append(row)
    ledger.sheet_state = "hidden"
    book.save(path)


def write_versions_drop(raw: Path) -> None:
    drop.write_drop(raw)
    write_csv(raw / NEW_REGISTRATIONS, REGISTRATION_HEADER, drop.registration_rows()[:40])
    write_csv(raw / TAXIS_LOWER, TAXI_HEADER, diesel_taxis())
    write_csv(raw / TAXIS_UPPER, TAXI_HEADER, drop.taxi_rows()[:-1])
    write_bus_ledger(raw / LOCKED_LEDGER, diesel_buses())


def write_ignored_drop(raw: Path) -> None:
    drop.write_drop(raw)
    petrol = [row.replace(",K11,C,C,", ",K11,C,A,") for row in drop.registration_rows()]
    write_csv(raw / BACKUP, REGISTRATION_HEADER, petrol)
    car_trips = [row[: row.rindex(",", 0, row.rindex(","))] for row in drop.trip_rows()]
    stray = raw / "surveys" / "2024 - 副本"
    write_csv(stray / "trips.csv", drop.TRIPS_HEADER, [f"{t},1" for t in car_trips], "utf-8")
    write_csv(raw / "surveys" / ".ipynb_checkpoints" / "trips-checkpoint.csv", "x", ["1"])
    os.mkfifo(raw / FIFO)
    (raw / DEVICE_LINK).symlink_to("/dev/zero")
    outside = write_csv(raw.parent / "outside" / "registrations.csv", REGISTRATION_HEADER, petrol)
    (raw / "registrations" / "registrations_20251215.csv").symlink_to(outside)


def refuse_to_open(monkeypatch, raw: Path, name: str) -> None:
    """The service user may not read `name` (tests run as root, so os.open says so)."""
    locked, real_open = raw / name, os.open

    def guarded_open(path, flags, *args, **kwargs):
        if Path(path) == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)


def audit_and_ignored(root: Path) -> tuple[dict, list[tuple]]:
    with duckdb.connect(str(root / "warehouse" / WAREHOUSE), read_only=True) as con:
        ignored = con.execute(
            "select source, file_name, why from audit.ignored_files order by file_name"
        ).fetchall()
        return audit_rows(con), ignored


def assert_rejected(audit: dict, out: str, name: str, *parts: str) -> None:
    status, reason, *counts = audit[name]
    assert (status, tuple(counts)) == ("rejected", (0, 0, 0)), (name, audit[name])
    assert reason.startswith(f"{name}: "), reason
    for part in parts:
        assert part in reason, (name, reason)
    assert f"{name}: {reason}" in out


@pytest.fixture(scope="module")
def clean_headline(published_before) -> list[tuple]:
    return headline(published_before)


def write_gate_and_ignored_drop(raw: Path) -> None:
    write_ignored_drop(raw)
    write_csv(raw / NEW_REGISTRATIONS, REGISTRATION_HEADER, [], "gb18030")
    write_csv(raw / FUTURE_TAXIS, TAXI_HEADER, diesel_taxis())
    write_hidden_ledger(raw / HIDDEN_LEDGER, diesel_buses()[:1])


@pytest.mark.slow  # a whole pipeline run: make test-slow
def test_gate_rejects_header_only_future_and_hidden_sheet_and_never_reads_the_rest(
    tmp_path, published_before, monkeypatch, clean_headline
):
    with finishes_within(300):
        result, _ = run_case(tmp_path, published_before, monkeypatch, write_gate_and_ignored_drop)
    assert result.code == 3, result.err
    audit, ignored = audit_and_ignored(tmp_path)
    assert_rejected(audit, result.out, NEW_REGISTRATIONS, "header-only: the file holds no records")
    future = f"file date 2099-01-01 is after the day of the run ({run_day()})"
    assert_rejected(audit, result.out, FUTURE_TAXIS, future)
    assert_rejected(audit, result.out, HIDDEN_LEDGER, "sheet '车辆台账' is hidden (hidden)")
    assert audit[drop.REGISTRATIONS][0] == audit[drop.TAXI_REGISTER][0] == "accepted"
    assert audit[drop.BUS_LEDGER][0] == "accepted"
    assert sorted(audit) == sorted(
        [
            drop.REGISTRATIONS,
            drop.BUS_LEDGER,
            drop.TAXI_REGISTER,
            NEW_REGISTRATIONS,
            FUTURE_TAXIS,
            HIDDEN_LEDGER,
            *(f"{drop.WAVE}/{entity}.csv" for entity in ("households", "persons", "trips")),
        ]
    )
    not_a_wave = "not a wave id (ASCII letters, digits, _ and -, no leading dot)"
    expected = [
        ("bus_fleet", DEVICE_LINK, "symlink pointing outside data_raw/"),
        ("registrations", BACKUP, "name does not match registrations_YYYYMMDD.csv"),
        (
            "registrations",
            "registrations/registrations_20251215.csv",
            "symlink pointing outside data_raw/",
        ),
        ("surveys", "surveys/.ipynb_checkpoints", not_a_wave),
        ("surveys", "surveys/2024 - 副本", not_a_wave),
        ("taxi_fleet", FIFO, "a FIFO"),
    ]
    assert ignored == expected
    assert f"WARNING: {len(expected)} entries in data_raw/ were not ingested" in result.out
    for _, name, why in expected:
        assert f"  {name}: {why}" in result.out
    assert headline(tmp_path / "warehouse") == clean_headline


@pytest.mark.slow  # a whole pipeline run: make test-slow
def test_gate_rejects_a_row_drop_a_date_pair_and_an_unreadable_file(
    tmp_path, published_before, monkeypatch, clean_headline
):
    refuse_to_open(monkeypatch, tmp_path / "data_raw", LOCKED_LEDGER)
    result, _ = run_case(tmp_path, published_before, monkeypatch, write_versions_drop)
    assert result.code == 3, result.err
    audit, _ = audit_and_ignored(tmp_path)
    assert_rejected(
        audit,
        result.out,
        NEW_REGISTRATIONS,
        f"40 records, fewer than 80% of the 74 of the previous accepted version "
        f"{drop.REGISTRATIONS} (GREENTRACK_MAX_ROW_DROP=0.2)",
    )
    pair = f"2 files share the date 2025-11-30: {TAXIS_UPPER} and {TAXIS_LOWER}"
    assert_rejected(audit, result.out, TAXIS_LOWER, pair)
    assert_rejected(audit, result.out, TAXIS_UPPER, pair)
    assert_rejected(audit, result.out, LOCKED_LEDGER, "unreadable: Permission denied")
    assert audit[drop.REGISTRATIONS][0] == audit[drop.TAXI_REGISTER][0] == "accepted"
    assert audit[drop.BUS_LEDGER][0] == "accepted"
    assert headline(tmp_path / "warehouse") == clean_headline
