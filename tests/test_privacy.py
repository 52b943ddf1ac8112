"""No plate, VIN or resident ID number in clear anywhere a run writes (docs/sources.md).

One whole run of `greentrack run` on a drop that plants identifiers in every text column of
every source (registrations, the bus ledger, the taxi register, the three survey files and a
GTFS feed): in loaded rows, in extra columns, in rows that break row rules (so they reach
quarantine reasons and raw_record) and under a duplicated header (that file is rejected).
Then every text column of every published table, every file of the site and of the warehouse
directory, the console and Python's logging are scanned for each planted identifier, as
written and normalised (no separators, half-width, upper case).
"""

from __future__ import annotations

import html
import logging
import re
import zipfile
from pathlib import Path

import duckdb
import pytest

from assets.ingest.columns import fold_width
from tests.conftest import REPO_ROOT
from tests.fixtures.bad_inputs import taicang_drop as drop
from tests.fixtures.bad_inputs.harness import WAREHOUSE, audit_rows, run_case
from tests.source_files import REGISTRATION_HEADER, TAXI_HEADER, write_bus_ledger, write_csv

PLATES = ["苏E·D12345", "苏 E 54321", "浙Ａ１２３４５", "京AD54321", "沪b-67890"]
VINS = ["LSVAB2180C2987654", "lgbh52e07ay123456", "ＬＦＶ２Ａ２１Ｋ５Ｇ３００１２３４"]
RESIDENT_IDS = ["11010519491231002X", "110101199003070038", "11010519491231002x"]
PLANTS = PLATES + VINS + RESIDENT_IDS
GTFS_MINI = REPO_ROOT / "tests" / "fixtures" / "gtfs" / "taicang_mini"
NEWER_REGISTRATIONS = "registrations/registrations_20251101.csv"
SEPARATORS = re.compile(r"[\s·•・\-]")


def normalised(text: str) -> str:
    return SEPARATORS.sub("", fold_width(text)).upper()


NEEDLES = sorted({*PLANTS, *(normalised(p) for p in PLANTS)})


def plant(i: int) -> str:
    return PLANTS[i % len(PLANTS)]


def note(i: int) -> str:
    """An extra column's value: identifiers inside ordinary words."""
    return f"备注 {plant(i)} / {plant(i + 1)}"


def with_extra(header: str, rows: list[str]) -> tuple[str, list[str]]:
    return header + ",备注," + plant(3), [
        f"{r},{note(i)},{plant(i + 2)}" for i, r in enumerate(rows)
    ]


def write_planted_drop(raw: Path) -> None:
    drop.write_drop(raw)
    p = PLANTS
    # registrations: identifiers in the vin and owner columns of loaded rows, in an extra
    # column, and three rows breaking rules with identifiers in every code and date column
    rows = drop.registration_rows()
    rows[0] = rows[0].replace(drop.valid_vin(1), p[5]).replace("太仓市公共交通有限公司", p[0])
    bad = [
        f"苏E88801,{p[0]},{p[5]},{p[6]},{p[8]},{p[1]},{p[9]},{p[2]},{p[10]},{p[7]},{p[8]}",
        f"苏E88802,02,,K33,A,A,2020-01-01,A,,个人,{p[9]}",
        f"苏E88803,02,,K33,A,A,{p[3]},A,,个人,320585100",
    ]
    header, lines = with_extra(REGISTRATION_HEADER, rows + bad)
    write_csv(raw / drop.REGISTRATIONS, header, lines, "gb18030")
    # a newer export with 号牌号码 twice: ambiguous, rejected (plates in the second column)
    newer = [f"{r},{plant(i)}" for i, r in enumerate(drop.registration_rows())]
    write_csv(raw / NEWER_REGISTRATIONS, REGISTRATION_HEADER + ",号牌号码", newer, "gb18030")
    # bus ledger: operator of a loaded row, and a row breaking rules in every other column
    buses = drop.bus_rows()
    buses[0][-1] = p[1]
    buses.append([p[2], p[0], p[6], p[3], p[7], p[4], p[8], p[9], p[10], p[5]])
    write_bus_ledger(raw / drop.BUS_LEDGER, buses)
    # taxi register: company of a loaded row, an extra column, a row breaking rules
    taxis = drop.taxi_rows()
    taxis[0] = taxis[0].replace("太仓出租", f"太仓出租{p[6]}")
    taxis.append(f"{p[1]},{p[2]},{p[3]},{p[5]},{p[8]},{p[9]},{p[10]}")
    header, lines = with_extra(TAXI_HEADER, taxis)
    write_csv(raw / drop.TAXI_REGISTER, header, lines, "utf-8")
    # surveys: an ID number as a respondent id, identifiers in every other column
    wave = raw / drop.WAVE
    households = [*drop.household_rows(), f"{p[8]},{p[0]},{p[5]},{p[1]},{p[9]},{p[2]}"]
    persons = drop.person_rows()
    persons[0] = persons[0].replace("worker", f"worker {p[3]}")
    persons += [f"H01,3,{p[6]},{p[4]},{p[10]},{p[7]}", f"H02,{p[2]},30,1,w,100"]
    trips = drop.trip_rows()
    trips += [f"H01,1,3,{p[0]},{p[1]},{p[5]},{p[6]},{p[8]},{p[9]},{p[2]},{p[3]}"]
    trips += [f"H01,1,4,08:00,08:30,320585100,320585100,{p[7]},1,1,{p[4]}"]
    for name, header, given in (
        ("households.csv", drop.HOUSEHOLDS_HEADER, households),
        ("persons.csv", drop.PERSONS_HEADER, persons),
        ("trips.csv", drop.TRIPS_HEADER, trips),
    ):
        write_csv(wave / name, *with_extra(header, given), "utf-8")
    write_planted_feed(raw / "gtfs" / "taicang_mini_20250701.zip")


def write_planted_feed(path: Path) -> None:
    """taicang_mini with identifiers in its names, headsigns and an extra stops column."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for member in sorted(GTFS_MINI.glob("*.txt")):
            text = member.read_text("utf-8-sig")
            text = text.replace("浏河", f"浏河 {PLANTS[2]}").replace("城厢", f"城厢{PLANTS[5]}")
            text = text.replace("太仓市公共交通有限公司", f"太仓公交 {PLANTS[0]}")
            text = text.replace("太仓市交通运输局", f"交通局 {PLANTS[8]}")
            if member.name == "stops.txt":
                lines = text.splitlines()
                lines = [lines[0] + ",note"] + [
                    f"{line},{note(i)}" for i, line in enumerate(lines[1:])
                ]
                text = "\n".join(lines) + "\n"
            archive.writestr(member.name, text)


def leaks(text: str) -> list[str]:
    """The planted identifiers found in `text`, as written or normalised."""
    unescaped = html.unescape(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), text))
    forms = (text, unescaped, normalised(unescaped))
    return [needle for needle in NEEDLES if any(needle in form for form in forms)]


class Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def published_texts(database: Path) -> dict[str, list[str]]:
    """Every non-null text value of every table, by table.column."""
    found = {}
    with duckdb.connect(str(database), read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type in ('VARCHAR', 'JSON') order by all"
        ).fetchall()
        for schema, table, column in columns:
            name = ".".join(duckdb_quote(part) for part in (schema, table))
            values = con.execute(
                f"select distinct {duckdb_quote(column)}::varchar from {name} "
                f"where {duckdb_quote(column)} is not null"
            ).fetchall()
            found[f"{schema}.{table}.{column}"] = [v for (v,) in values]
    return found


def duckdb_quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@pytest.mark.slow  # a whole pipeline run: make test-slow
def test_no_identifier_in_clear_anywhere(tmp_path, published_before, monkeypatch):
    collected = Collected()
    loggers = [logging.getLogger(), logging.getLogger("dagster")]
    for logger in loggers:
        logger.addHandler(collected)
    try:
        result, _ = run_case(tmp_path, published_before, monkeypatch, write_planted_drop)
    finally:
        for logger in loggers:
            logger.removeHandler(collected)
    assert result.code == 3, result.out + result.err
    database = tmp_path / "warehouse" / WAREHOUSE
    with duckdb.connect(str(database), read_only=True) as con:
        audit = audit_rows(con)
        quarantined = con.execute("select count(*) from quality.quarantine").fetchone()[0]
        gtfs_stops = con.execute("select count(*) from raw.gtfs_stops").fetchone()[0]
    status, reason, *_ = audit[NEWER_REGISTRATIONS]
    assert status == "rejected" and "号牌号码" in reason and "appears twice" in reason
    assert [n for n, row in audit.items() if row[0] == "rejected"] == [NEWER_REGISTRATIONS]
    assert quarantined == 10 and gtfs_stops == 7  # the planted rows did reach the ledgers

    texts = published_texts(database)
    # the plants are there, pseudonymised: the scan below looks where they went
    assert any("[plate:" in v and "[vin:" in v for v in texts["raw.registrations._extra"])
    assert any("[resident_id:" in v for v in texts["quality.quarantine.reason"])
    assert any("[vin:" in v for v in texts["raw.gtfs_stops.stop_name"])
    found = {}
    for column, values in texts.items():
        hits = sorted({leak for value in values for leak in leaks(value)})
        if hits:
            found[column] = hits
    for path in sorted(p for d in ("site", "warehouse") for p in (tmp_path / d).rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            hits = [n for n in NEEDLES if n.encode("utf-8") in data]
            if path.suffix != ".duckdb":
                hits += leaks(data.decode("utf-8", errors="replace"))
            if hits:
                found[str(path.relative_to(tmp_path))] = sorted(set(hits))
    for name, text in (("stdout", result.out), ("stderr", result.err)):
        if leaks(text):
            found[name] = leaks(text)
    if leaks("\n".join(collected.lines)):
        found["logging"] = leaks("\n".join(collected.lines))
    assert found == {}
