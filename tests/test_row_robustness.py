"""Decide at the smallest unit: null-safe reasons, blank records, infinite and overflowing
numbers. Each test feeds a few literal records through the real ingest steps."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest

from assets.fleets.bus_ledger import bus_format, bus_rules, ingest_bus_file
from assets.fleets.taxi_register import taxi_format, taxi_rules
from assets.ingest import row_rules as rr
from assets.ingest.columns import Column
from assets.ingest.file_ingest import SourceFormat, check_records
from assets.ingest.outcome import FileOutcome
from assets.ingest.source_run import ingest_csv_file
from assets.ingest.store import AUDIT_DDL, write_outcomes
from assets.publish.history import carry_forward
from assets.registrations.records import registration_format
from tests.conftest import TEST_KEY
from tests.source_files import (
    REGISTRATION_HEADER,
    TAXI_HEADER,
    good_buses,
    write_bus_ledger,
    write_csv,
)
from tests.test_sliced_ingest import _sliced, _whole

KEY = TEST_KEY.encode()
LOADED_AT = dt.datetime(2026, 1, 1)
FLEET_CODES = {"powertrain": ["纯电动", "汽油"], "town_label": ["沙溪镇"]}


def _check(records: dict[str, list], fmt: SourceFormat, rules: list[rr.RowRule]):
    text = pl.DataFrame(records, schema={name: pl.String for name in records})
    return check_records(text, fmt, "f.csv", rules, KEY)


def test_a_reason_built_from_a_null_value_still_quarantines_the_row():
    # a hand-made rule whose reason formats the value it finds missing: pl.format gives null
    rule = rr.RowRule("x", pl.col("x").is_null(), pl.format("bad x '{}'", pl.col("x")))
    fmt = SourceFormat("s", "raw.s", [Column("x", "x", required=False)])
    good, bad, blank = _check({"x": ["1", None, "3"], "y": ["a", "b", "c"]}, fmt, [rule])
    assert good.get_column("_row_number").to_list() == [1, 3]
    assert bad.select("_row_number", rr.FAILED_COLUMN, rr.FAILED_REASON).rows() == [
        (2, "x", "breaks row rule 1 on x (a value it names is (blank))")
    ]
    assert blank == 0


def test_reason_shows_a_null_value_as_blank():
    frame = pl.DataFrame({"a": ["x", None], "d": [dt.date(2020, 1, 2), None]})
    texts = frame.select(rr.reason("{} on {}", pl.col("a"), pl.col("d"))).to_series()
    assert texts.to_list() == ["x on 2020-01-02", "(blank) on (blank)"]


def test_a_blank_required_cell_of_the_taxi_register_is_quarantined_naming_its_column():
    header = TAXI_HEADER.split(",")
    row = ["太仓出租", "苏E20001", "巡游出租车", "纯电动", "市区", "2021-03-05", ""]
    records = {h: [v or None] for h, v in zip(header, row, strict=True)}
    records["燃料类型"] = [None]
    good, bad, _ = _check(records, taxi_format(), taxi_rules(FLEET_CODES))
    assert good.height == 0
    assert bad.select(rr.FAILED_COLUMN, rr.FAILED_REASON).rows() == [
        ("powertrain_label", "required value is missing")
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("inf", "must be a finite number, got 'inf'"),
        ("Infinity", "must be a finite number, got 'Infinity'"),
        ("-inf", "must be a finite number, got '-inf'"),
        ("1e999", "must be a finite number, got '1e999'"),
        ("NaN", "must be a finite number, got 'NaN'"),
        ("0", "must be a number > 0, got '0'"),
        ("2.5", None),
    ],
)
def test_a_weight_must_be_a_finite_number(text, reason):
    rule = rr.number_in_range("w", 0, None, exclusive_low=True)
    out = rr.apply_rules(pl.DataFrame({"w": [text], "_row_number": [1]}), [rule])
    assert out.get_column(rr.FAILED_REASON).to_list() == [reason]


@pytest.mark.parametrize(
    ("text", "stored_as", "passes"),
    [
        ("2147483647", pl.Int32, True),
        ("2147483648", pl.Int32, False),
        ("-2147483648", pl.Int32, True),
        ("-2147483649", pl.Int32, False),
        ("1e18", pl.Int64, True),
        ("1e19", pl.Int64, False),
        ("99999999999999999999", pl.Int64, False),
    ],
)
def test_an_integer_must_fit_the_type_of_its_raw_column(text, stored_as, passes):
    rule = rr.number_in_range("n", integer=True, stored_as=stored_as)
    out = rr.apply_rules(pl.DataFrame({"n": [text], "_row_number": [1]}), [rule])
    assert out.get_column(rr.FAILED_COLUMN).to_list() == [None if passes else "n"]
    if not passes:
        name = stored_as.__name__
        assert out.get_column(rr.FAILED_REASON).item() == (
            f"must be an integer that fits a {name} column, got '{text}'"
        )


def test_every_bus_ledger_value_that_passes_its_rules_loads_without_overflow():
    # seats is an integer column of raw.bus_fleet: 2**31 - 1 fits, one more does not
    seats = ["2147483647", "2147483648", "99999999999999999999", "inf", "30"]
    lengths = ["10.5", "10.5", "10.5", "10.5", "1e400"]
    records = {
        "车辆自编号": [f"B{i}" for i in range(5)],
        "号牌号码": [f"苏E0090{i}" for i in range(5)],
        "车长(米)": lengths,
        "座位数": seats,
        "动力类型": ["纯电动"] * 5,
        "投运日期": ["2019-01-01"] * 5,
        "报废日期": [None] * 5,
        "运营状态": ["运营"] * 5,
    }
    good, bad, _ = _check(records, bus_format(), bus_rules(FLEET_CODES))
    loaded = bus_format().output(good)
    assert loaded.select("seats", "length_m").rows() == [(2147483647, 10.5)]
    assert loaded.schema["seats"] == pl.Int32
    assert bad.select("_row_number", rr.FAILED_COLUMN).rows() == [
        (2, "seats"),
        (3, "seats"),
        (4, "seats"),
        (5, "length_m"),
    ]


REGISTRATION = "苏E{},02,,K33,A,A,2020-01-01,A,,个人,320585100"


def _registrations_with_blank_lines(tmp_path):
    lines = [REGISTRATION.format(50000 + i) for i in range(30)]
    lines.insert(10, "")  # an empty line: line 11
    lines.insert(20, ",,,,,,,,,,")  # only commas: line 21
    lines.insert(25, " ,\u3000, ")  # blanks and a full-width space: line 26
    lines += ["", ""]  # trailing empty lines: 34 and 35
    return write_csv(tmp_path / "registrations_20251031.csv", REGISTRATION_HEADER, lines)


def test_blank_lines_of_a_csv_are_skipped_counted_and_keep_the_line_numbers(tmp_path):
    path = _registrations_with_blank_lines(tmp_path)
    fmt = registration_format()
    outcome = ingest_csv_file(path, tmp_path, fmt, [rr.required("plate")], KEY, LOADED_AT)
    assert (outcome.status, outcome.rows_read, outcome.rows_loaded) == ("accepted", 30, 30)
    assert (outcome.rows_quarantined, outcome.rows_blank) == (0, 5)
    numbers = outcome.loaded[fmt.table].get_column("_row_number").to_list()
    assert numbers == [n for n in range(1, 34) if n not in (11, 21, 26)]
    assert outcome.audit_row("r", LOADED_AT)["rows_skipped_blank"] == 5


def test_a_sliced_csv_skips_and_counts_blank_lines_as_the_whole_file_does(tmp_path, workspace):
    path = _registrations_with_blank_lines(tmp_path)
    whole, sliced = _whole(path), _sliced(path, slice_bytes=200)
    assert (sliced.rows_read, sliced.rows_blank) == (whole.rows_read, whole.rows_blank) == (30, 5)
    numbers = sliced.loaded["raw.registrations"].collect().get_column("_row_number")
    assert numbers.equals(whole.loaded["raw.registrations"].get_column("_row_number"))
    for frame in [*sliced.loaded.values(), sliced.quarantine]:
        if hasattr(frame, "discard"):
            frame.discard()


def test_a_blank_row_of_the_bus_ledger_is_skipped_like_a_blank_csv_line(tmp_path):
    rows = good_buses(4)
    rows.insert(2, [" ", "\u3000"])  # cells of blanks only: sheet row 3
    path = write_bus_ledger(tmp_path / "bus_fleet_20251031.xlsx", rows)
    outcome = ingest_bus_file(
        path, tmp_path, FLEET_CODES | {"powertrain": ["纯电动"]}, KEY, LOADED_AT
    )
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_blank) == (4, 4, 1)
    assert outcome.loaded["raw.bus_fleet"].get_column("_row_number").to_list() == [1, 2, 4, 5]


def test_rows_skipped_blank_is_audited_and_older_audits_still_carry_forward(tmp_path):
    previous = tmp_path / "previous.duckdb"
    with duckdb.connect(str(previous)) as old:  # published before the column existed
        old.execute("create schema audit")
        old.execute(
            "create table audit.source_files (run_id varchar, source varchar, "
            "file_name varchar, sha256 varchar, status varchar, is_current boolean)"
        )
        old.execute(
            "insert into audit.source_files values ('r0', 'x', 'old.csv', 'a', 'accepted', true)"
        )
    outcome = FileOutcome("x", "new.csv", "b", None, rows_read=2, rows_blank=3)
    with duckdb.connect(str(tmp_path / "work.duckdb")) as con:
        write_outcomes(con, "x", [outcome], {}, "r1", LOADED_AT)
        carry_forward(con, previous, "r1")
        got = con.execute(
            "select file_name, rows_skipped_blank, is_current from audit.source_files "
            "order by file_name"
        ).fetchall()
    assert got == [("new.csv", 3, True), ("old.csv", None, False)]
    assert "rows_skipped_blank bigint" in AUDIT_DDL
