"""The bad-input corpus: one case per defect kind, each through `greentrack run`.

Every case starts from a warehouse published by a clean run and the clean Taicang drop with
one thing broken; row defects in different rows share one drop and one run (SHARED_RUNS),
which must show exactly the union of their quarantined rows and warnings. It asserts the
exit code, that the message names file, column and reason, the exact rejection and
quarantine counts, and, when nothing is published, that the previously published warehouse
is byte-identical. Row defects are quarantined by ingest and must not fail an ERROR suite
again; what ingest lets through (a date after the file's own date, a date before 1980)
fails an ERROR suite and blocks publication.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SHARED_DIR
from tests.fixtures.bad_inputs import taicang_drop as drop
from tests.fixtures.bad_inputs.harness import WAREHOUSE, audit_rows, run_case, sha256_file
from tests.fixtures.bad_inputs.run import quality_graph
from tests.source_files import (
    TAXI_HEADER,
    write_bus_ledger,
    write_csv,
)

BAD_FEEDS = SHARED_DIR / "data" / "real" / "gtfs_bad_feeds"


@dataclass(frozen=True)
class Case:
    name: str
    write: Callable[[Path], object]  # writes the whole drop into data_raw
    exit_code: int
    rejected: dict[str, tuple[str, ...]] = field(default_factory=dict)  # file → reason parts
    rejected_counts: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # read/ld/q
    quarantined: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    stderr: tuple[str, ...] = ()  # exit 1: what stderr must name
    warned: dict[str, int] = field(default_factory=dict)  # failed WARN expectation → count


CLEAN_ROWS = {
    "registrations": drop.registration_rows,
    "buses": drop.bus_rows,
    "taxis": drop.taxi_rows,
    "households": drop.household_rows,
    "trips": drop.trip_rows,
}


@dataclass(frozen=True)
class RowEdit:
    """A case's change to the rows of one source (a `write_drop` keyword). As a Case's
    `write` it writes the clean drop with that change; edits of several cases touching
    different rows also combine into one drop (`shared_run`)."""

    source: str
    change: Callable[[list], list]

    def __call__(self, raw: Path) -> None:
        write_edits(raw, [self])


def write_edits(raw: Path, edits: list[RowEdit]) -> None:
    """The clean drop with every edit applied, in order, to its source's rows."""
    rows: dict[str, list] = {}
    for edit in edits:
        rows[edit.source] = edit.change(rows.get(edit.source, CLEAN_ROWS[edit.source]()))
    drop.write_drop(raw, **rows)


def _registrations(change: Callable[[list[str]], list[str]]) -> RowEdit:
    return RowEdit("registrations", change)


def _buses(change: Callable[[list[list]], list[list]]) -> RowEdit:
    return RowEdit("buses", change)


def _replace(rows: list, index: int, row) -> list:
    return [*rows[:index], row, *rows[index + 1 :]]


def _broken_encoding(raw: Path) -> None:
    drop.write_drop(raw)
    path = raw / drop.REGISTRATIONS
    path.write_bytes(path.read_bytes() + "苏E99999,02,".encode("gb18030") + b"\xff\xfe\xff\n")


def _truncated_ledger(raw: Path) -> None:
    drop.write_drop(raw)
    path = raw / drop.BUS_LEDGER
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _wrong_sheet(raw: Path) -> None:
    drop.write_drop(raw)
    write_bus_ledger(raw / drop.BUS_LEDGER, drop.bus_rows(), sheet="Sheet1")


def _missing_column(raw: Path) -> None:
    drop.write_drop(raw)
    header = TAXI_HEADER.replace(",燃料类型", "")
    rows = [r.replace(",纯电动", "") for r in drop.taxi_rows()]
    write_csv(raw / drop.TAXI_REGISTER, header, rows)


def _missing_trips_file(raw: Path) -> None:
    drop.write_drop(raw)
    (raw / drop.WAVE / "trips.csv").unlink()


def _many_bad_rows(rows: list[str]) -> list[str]:
    for index in (60, 61, 62, 63):  # 4 of 74 private cars with usage W: 5.4 % > 5 %
        rows[index] = rows[index].replace(",K33,A,", ",K33,W,")
    return rows


def _trips(change: Callable[[list[str]], list[str]]) -> RowEdit:
    return RowEdit("trips", change)


REGISTRATIONS, BUSES, TAXIS = drop.REGISTRATIONS, drop.BUS_LEDGER, drop.TAXI_REGISTER
HOUSEHOLDS, TRIPS = f"{drop.WAVE}/households.csv", f"{drop.WAVE}/trips.csv"
BAD_VIN = (
    drop.valid_vin(3)[:8] + ("0" if drop.valid_vin(3)[8] != "0" else "1") + drop.valid_vin(3)[9:]
)

CASES = [
    Case(
        "broken_encoding",
        _broken_encoding,
        3,
        rejected={REGISTRATIONS: ("unreadable", "neither UTF-8 nor GB18030")},
        rejected_counts={REGISTRATIONS: (0, 0, 0)},
    ),
    Case(
        "truncated_xlsx",
        _truncated_ledger,
        3,
        rejected={BUSES: ("unreadable xlsx", "BadZipFile")},
        rejected_counts={BUSES: (0, 0, 0)},
    ),
    Case(
        "wrong_sheet_name",
        _wrong_sheet,
        3,
        rejected={BUSES: ("sheet '车辆台账' not found", "Sheet1")},
        rejected_counts={BUSES: (0, 0, 0)},
    ),
    Case(
        "missing_column",
        _missing_column,
        3,
        rejected={TAXIS: ("column 燃料类型 (powertrain_label)", "required column missing")},
        rejected_counts={TAXIS: (0, 0, 0)},
    ),
    Case(
        "missing_survey_file",
        _missing_trips_file,
        3,
        rejected={TRIPS: ("file missing from the wave folder",)},
        rejected_counts={TRIPS: (0, 0, 0)},
    ),
    Case(
        "more_than_5_percent_bad_rows",
        _registrations(_many_bad_rows),
        3,
        rejected={REGISTRATIONS: ("column usage", "4 of 74 rows (5.4%)", "unknown usage code")},
        rejected_counts={REGISTRATIONS: (74, 0, 74)},  # the 70 good rows: "file rejected: …"
        quarantined={
            REGISTRATIONS: [(row, "usage", "unknown usage code 'W'") for row in (61, 62, 63, 64)]
        },
    ),
    Case(
        "unknown_usage_code",
        _registrations(lambda r: _replace(r, 59, r[59].replace(",K33,A,", ",K33,W,"))),
        0,
        quarantined={REGISTRATIONS: [(60, "usage", "unknown usage code 'W'")]},
    ),
    Case(
        "unknown_powertrain_label",
        _buses(lambda r: _replace(r, 4, drop.bus_row(5, powertrain_label="核动力"))),
        0,
        quarantined={BUSES: [(5, "powertrain_label", "unknown powertrain label '核动力'")]},
    ),
    Case(
        "duplicate_fleet_no",
        _buses(lambda r: [*r, drop.bus_row(26, fleet_no="B001")]),
        0,
        quarantined={BUSES: [(26, "fleet_no", "duplicate fleet_no 'B001' (first at row 1)")]},
    ),
    Case(
        "duplicate_household",
        RowEdit("households", lambda r: [*r, "H01,320585100,3,0,0,99"]),
        0,
        quarantined={HOUSEHOLDS: [(25, "hh_id", "duplicate hh_id")]},
    ),
    Case(
        "future_date",
        _buses(lambda r: _replace(r, 1, drop.bus_row(2, in_service_on=dt.date(2026, 1, 5)))),
        1,
        stderr=(
            "raw/bus_fleet:gx_suite",
            BUSES,
            "column _file_date, in_service_on",
            "in_service_on after the ledger's own date: 1 of 25 rows",
        ),
    ),
    Case(
        "date_before_1980",
        _registrations(lambda r: _replace(r, 60, r[60].replace("2020-01-01", "1975-06-01"))),
        1,
        stderr=(
            "raw/registrations:gx_suite",
            REGISTRATIONS,
            "column first_registered_on",
            "no date before 1980: 1 of 74 rows",
        ),
    ),
    Case(
        "retired_before_in_service",
        _buses(lambda r: _replace(r, 2, drop.bus_row(3, retired_on=dt.date(2018, 6, 30)))),
        0,
        quarantined={
            BUSES: [(3, "retired_on", "retired_on 2018-06-30 precedes in_service_on 2019-01-01")]
        },
    ),
    Case(
        "orphan_trip",
        _trips(lambda r: [*r, drop.trip_row(99, 1, 1, 4, 6, 30)]),
        0,
        quarantined={TRIPS: [(97, "hh_id", "orphan: no household with this id in the wave")]},
    ),
    Case(
        "zero_trip_weight",
        _trips(lambda r: _replace(r, 10, drop.trip_row(3, 2, 1, 4, 6, 30, weight=0))),
        0,
        quarantined={TRIPS: [(11, "trip_weight", "must be a number > 0, got '0'")]},
    ),
    Case(
        "impossible_walking_speed",
        _trips(lambda r: _replace(r, 20, drop.trip_row(6, 1, 1, 1, 20, 30))),
        0,
        quarantined={TRIPS: [(21, "distance_km", "impossible speed for mode 1")]},
    ),
    Case(
        "bad_date_spelling",
        RowEdit("taxis", lambda r: _replace(r, 7, r[7].replace("2021-03-05", "2021.03.05"))),
        0,
        quarantined={TAXIS: [(8, "in_service_on", "unrecognised date '2021.03.05'")]},
    ),
    Case(
        "bad_plate_format",
        _registrations(lambda r: _replace(r, 70, r[70].replace("苏E50", "苏E5", 1))),
        0,
        quarantined={REGISTRATIONS: [(71, "plate", "plate format")]},
    ),
    Case(
        "vin_check_digit_warning",
        _registrations(lambda r: _replace(r, 2, r[2].replace(drop.valid_vin(3), BAD_VIN))),
        0,
        warned={"expect_column_values_to_not_be_in_set": 1},
    ),
    Case(
        "bus_registered_with_wrong_usage",
        _registrations(lambda r: _replace(r, 4, r[4].replace(",K11,C,C,", ",K11,A,C,"))),
        0,
        warned={"unexpected_rows: usage_mismatch": 1},
    ),
]


# Defects in different rows, or in files of different sources, share one whole run (~15 s
# each): each group's drop holds all its cases' edits, and the run must show exactly the
# union of their rejected files, quarantined rows and warnings. A group with a rejected file
# exits 3, as each of its rejecting cases does alone.
SHARED_RUNS = (
    ("unknown_usage_code", "unknown_powertrain_label", "duplicate_household", "orphan_trip",
     "bad_date_spelling"),
    ("bad_plate_format", "duplicate_fleet_no", "zero_trip_weight",
     "bus_registered_with_wrong_usage"),
    ("vin_check_digit_warning", "retired_before_in_service", "impossible_walking_speed"),
    ("broken_encoding", "missing_survey_file"),
    ("truncated_xlsx", "more_than_5_percent_bad_rows"),
    ("wrong_sheet_name", "missing_column"),
)  # fmt: skip


def _write_all(cases: list[Case]) -> Callable[[Path], None]:
    """One drop holding every case's change: the row edits applied together, then each
    whole-file case's broken file (the file it rejects, written or removed) taken from a
    scratch drop of its own, so no case's clean drop overwrites another's broken file."""
    edits = [case.write for case in cases if isinstance(case.write, RowEdit)]
    whole_file = [case for case in cases if not isinstance(case.write, RowEdit)]

    def write(raw: Path) -> None:
        write_edits(raw, edits)
        for case in whole_file:
            scratch = raw.parent / f"scratch-{case.name}"
            case.write(scratch)
            for name in case.rejected:
                source, target = scratch / name, raw / name
                if source.exists():
                    shutil.copy(source, target)
                else:
                    target.unlink()
            shutil.rmtree(scratch)

    return write


def shared_run(names: tuple[str, ...]) -> Case:
    """One case for a group: its cases' changes in one drop, their expectations combined."""
    cases = [next(c for c in CASES if c.name == name) for name in names]
    assert all(c.exit_code in (0, 3) for c in cases)
    assert all(c.rejected for c in cases if not isinstance(c.write, RowEdit))
    rejected_files = [f for c in cases for f in c.rejected]
    assert len(rejected_files) == len(set(rejected_files))  # each case breaks its own file
    quarantined: dict[str, list] = {}
    warned: dict[str, int] = {}
    for case in cases:
        for file, rows in case.quarantined.items():
            quarantined[file] = sorted([*quarantined.get(file, []), *rows])
        for expectation, count in case.warned.items():
            warned[expectation] = warned.get(expectation, 0) + count
    return Case(
        "+".join(names),
        _write_all(cases),
        max(c.exit_code for c in cases),
        rejected={f: p for c in cases for f, p in c.rejected.items()},
        rejected_counts={f: n for c in cases for f, n in c.rejected_counts.items()},
        quarantined=quarantined,
        warned=warned,
    )


SHARED = {name for group in SHARED_RUNS for name in group}
RUNS = [c for c in CASES if c.name not in SHARED] + [shared_run(g) for g in SHARED_RUNS]


def assert_published(con, case: Case, result) -> None:
    audit = audit_rows(con)
    rejected = {name: row for name, row in audit.items() if row[0] == "rejected"}
    assert set(rejected) == set(case.rejected)
    for name, parts in case.rejected.items():
        reason = rejected[name][1]
        assert name in reason and all(part in reason for part in parts), reason
        assert rejected[name][2:] == case.rejected_counts[name]
        assert f"{name}: {reason}" in result.out  # the run summary names file and reason
    quarantine = con.execute(
        "select file_name, row_number, column_name, reason from quality.quarantine "
        "where reason not like 'file rejected%' order by file_name, row_number"
    ).fetchall()
    expected = [(f, *row) for f, rows in sorted(case.quarantined.items()) for row in rows]
    assert [(f, n, c) for f, n, c, _ in quarantine] == [(f, n, c) for f, n, c, _ in expected]
    for (*_, reason), (*_, part) in zip(quarantine, expected, strict=True):
        assert part in reason
    for name, rows in case.quarantined.items():
        if name not in case.rejected:
            _, _, read, loaded, quarantined = audit[name]
            assert (quarantined, loaded) == (len(rows), read - len(rows))
    errors = con.execute(
        "select suite, failed_error from quality.suite_runs where failed_error > 0"
    ).fetchall()
    assert errors == []  # quarantined rows never fail an ERROR suite again
    warned = dict(
        con.execute(
            "select expectation, unexpected_count from quality.validation_results "
            "where not success and severity = 'WARN'"
        ).fetchall()
    )
    assert warned == {k: v for k, v in case.warned.items() if v}


@pytest.mark.parametrize("case", RUNS, ids=[c.name for c in RUNS])
@pytest.mark.slow  # a whole pipeline run: make test-slow
def test_bad_input(case, tmp_path, published_before, monkeypatch):
    result, before = run_case(tmp_path, published_before, monkeypatch, case.write)
    assert result.code == case.exit_code, result.out + result.err
    published = tmp_path / "warehouse" / WAREHOUSE
    if case.exit_code == 1:
        assert sha256_file(published) == before  # nothing published: the old file is untouched
        assert "nothing was published" in result.err
        for part in case.stderr:
            assert part in result.err, part
        return
    assert sha256_file(published) != before
    with duckdb.connect(str(published), read_only=True) as con:
        assert_published(con, case, result)


def test_corpus_covers_at_least_15_defect_kinds():
    assert len({c.name for c in CASES}) >= 15
    assert sorted(n for run in RUNS for n in run.name.split("+")) == sorted(c.name for c in CASES)


# --- GTFS: every real broken feed is rejected with its defect named; the control loads ---

GTFS_FEEDS = {
    "transitfeed_good_feed": (),
    "transitfeed_missing_agency": ("missing_required_file", "agency.txt"),
    "transitfeed_undefined_stop": ("stop_times.txt", "stop_id", "NADAR"),
    "transitfeed_invalid_route_agency": ("routes.txt", "agency_id", "DVT"),
    "transitfeed_duplicate_schedule_id": ("calendar.txt", "service_id", "WE"),
    "transitfeed_duplicate_stop_sequence": ("stop_times.txt", "stop_sequence", "10"),
    "transitfeed_bad_date_format": ("calendar.txt", "start_date", "2007.01.01"),
    "transitfeed_missing_endpoint_times": ("stop_times.txt", "arrival_time", "AB2"),
    "transitfeed_missing_column": ("agency.txt", "agency_name"),
    "transitfeed_contains_null": ("stops.txt", "NUL"),
    "tidytransit_sample-feed-invalid.zip": ("stop_times.txt", "missing_required_file"),
}


def _gtfs_wired() -> bool:
    assets, _ = quality_graph()
    return any(key.path[-1].startswith("gtfs_") for asset in assets for key in asset.keys)


def _feed_zip(source: Path, target: Path) -> None:
    if source.is_file():
        shutil.copy(source, target)
        return
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(source.glob("*.txt")):
            archive.write(path, path.name)


# Every real feed's rule, file and field are checked at ingest level by
# tests/test_gtfs_validation.py in `make test`. A whole run rejects a broken feed the same
# way whatever its defect, and `make test` already runs whole runs with accepted and rejected
# feeds (tests/test_corpus_rows.py, tests/test_corpus_resources.py), so these whole runs of
# real feeds are left to `make test-slow` (CI).
IN_FAST_TESTS: set[str] = set()


@pytest.mark.parametrize(
    "feed",
    [
        feed if feed in IN_FAST_TESTS else pytest.param(feed, marks=pytest.mark.slow)
        for feed in sorted(GTFS_FEEDS)
    ],
)
def test_gtfs_feed(feed, tmp_path, published_before, monkeypatch):
    source = BAD_FEEDS / feed
    if not source.exists():
        pytest.skip(f"{source} is absent (the shared real-data folder is not mounted)")
    if not _gtfs_wired():
        pytest.skip("assets/gtfs is not wired into pipelines/definitions.py yet")
    name = f"gtfs/{feed.removesuffix('.zip').replace('_', '-')}_20250101.zip"

    def write(raw: Path) -> None:
        drop.write_drop(raw)
        (raw / "gtfs").mkdir()
        _feed_zip(source, raw / name)

    result, _ = run_case(tmp_path, published_before, monkeypatch, write)
    defect = GTFS_FEEDS[feed]
    assert result.code == (3 if defect else 0), result.out + result.err
    with duckdb.connect(str(tmp_path / "warehouse" / WAREHOUSE), read_only=True) as con:
        status, reason, *counts = audit_rows(con)[name]
        failed = con.execute(
            "select suite from quality.suite_runs where suite like 'raw.gtfs%' and not passed"
        ).fetchall()
    assert failed == []
    if not defect:
        assert (status, reason) == ("accepted", None)
        return
    assert status == "rejected" and counts == [0, 0, 0]
    assert all(part in reason for part in (name, *defect)), reason
