"""The workbook and the Parquet files published with the dashboard, from the small fixture
warehouse of the dashboard tests (no whole run)."""

from __future__ import annotations

import datetime as dt

import duckdb
import openpyxl
import pyarrow.parquet as pq
import pytest

from assets.exports.parquet_files import write_parquet_files
from assets.exports.workbook import write_workbook
from tests.test_dashboard_fixtures import TABLES, build_warehouse

TODAY = dt.date(2026, 2, 15)
SHEETS = ["目标差距 Target gap", "指标值 Indicator values", "数据时效 Freshness 2026-02-15",
          "隔离汇总 Quarantine"]  # fmt: skip
VALUE_HEADERS = ["指标代码 Indicator id", "期 Period", "期末日 Period end", "值 Value",
                 "分子 Numerator", "分母 Denominator", "样本量 Sample size",
                 "95%区间下限 95% CI low", "95%区间上限 95% CI high"]  # fmt: skip


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return build_warehouse(tmp_path_factory.mktemp("exports") / "w.duckdb", TABLES)


@pytest.fixture(scope="module")
def book(warehouse, tmp_path_factory):
    path = tmp_path_factory.mktemp("book") / "green_transport.xlsx"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        write_workbook(con, path, TODAY)
    return openpyxl.load_workbook(path)


def sheet_rows(sheet) -> tuple[list[str], list[tuple]]:
    rows = list(sheet.iter_rows(values_only=True))
    return list(rows[0]), rows[1:]


def as_date(value):
    return value.date() if isinstance(value, dt.datetime) else value


def excel_precision(rows: list[tuple]) -> list[tuple]:
    """Excel keeps 15 significant digits (0.036000000000000004 is stored as 0.036)."""
    return [
        tuple(pytest.approx(v, rel=1e-14) if isinstance(v, float) else v for v in row)
        for row in rows
    ]


def test_the_sheets_and_the_frozen_header_row(book):
    assert book.sheetnames == SHEETS
    assert all(book[name].freeze_panes == "A2" for name in SHEETS)


def test_indicator_values_equal_the_metrics_table(book, warehouse):
    headers, rows = sheet_rows(book["指标值 Indicator values"])
    assert headers == VALUE_HEADERS
    with duckdb.connect(str(warehouse), read_only=True) as con:
        expected = con.execute(
            "select indicator_id, period, period_end, value, numerator, denominator, "
            "sample_size, ci_low, ci_high from metrics.indicator_values "
            "order by indicator_id, period_end, period"
        ).fetchall()
    # Excel keeps 15 significant digits (0.036000000000000004 is stored as 0.036)
    assert [tuple(as_date(v) for v in row) for row in rows] == excel_precision(expected)
    transit = [r for r in rows if r[0] == "transit_mode_share" and r[1] == "2024"]
    assert transit[0][7:] == (0.035, 0.047)  # the interval, as the fixture wrote it


def test_shares_are_formatted_as_percentages(book):
    values = book["指标值 Indicator values"]
    assert values["D2"].number_format == "0.0%"  # value
    assert values["H2"].number_format == "0.0%"  # ci_low
    assert values["E2"].number_format != "0.0%"  # numerator: vehicles, not a share
    headers, _ = sheet_rows(book["目标差距 Target gap"])
    gap = book["目标差距 Target gap"]
    target = headers.index("目标值 Target") + 1
    assert gap.cell(row=2, column=target).number_format == "0.0%"


def test_target_gap_rows_equal_the_metrics_table_with_status_in_words(book, warehouse):
    headers, rows = sheet_rows(book["目标差距 Target gap"])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        expected = con.execute(
            "select indicator_id, target_value, gap_pp, status from metrics.target_gap "
            "order by indicator_id, deadline"
        ).fetchall()
    pick = [headers.index(h) for h in ("指标代码 Indicator id", "目标值 Target",
                                       "差距（百分点） Gap (pp)", "状态 Status")]  # fmt: skip
    assert [tuple(r[i] for i in pick) for r in rows] == excel_precision(expected)
    words = [r[headers.index("状态说明 Status in words")] for r in rows]
    assert "到期未达标 missed" in words  # buses passed the deadline short of the target


def test_freshness_and_quarantine_per_source(book):
    headers, rows = sheet_rows(book["数据时效 Freshness 2026-02-15"])
    assert headers == ["数据源 Source", "更新周期 Cadence", "最新文件日期 Newest file date",
                       "距今天数 Age (days)", "允许天数 Max age (days)", "是否过期 Stale",
                       "隔离记录数 Records quarantined"]  # fmt: skip
    by_source = {r[0]: (as_date(r[2]), r[3], r[5], r[6]) for r in rows}
    # bus ledger of 31 Jan 2026: 15 days old on 15 Feb; taxi and registrations of 31 Oct 2025
    # (the rejected taxi file of 30 Nov does not count): 107 days, over the 45 allowed
    assert by_source["bus_fleet"] == (dt.date(2026, 1, 31), 15, False, 2)
    assert by_source["taxi_fleet"] == (dt.date(2025, 10, 31), 107, True, 0)
    assert by_source["registrations"] == (dt.date(2025, 10, 31), 107, True, 2)
    assert by_source["gtfs"] == (None, None, True, 0)
    _, quarantine = sheet_rows(book["隔离汇总 Quarantine"])
    assert quarantine == [
        ("bus_fleet", "status", "报废 without retired_on", 2),
        ("registrations", "usage", "unknown usage letter X", 2),
    ]


def test_parquet_files_equal_their_tables(warehouse, tmp_path):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        paths = write_parquet_files(con, tmp_path)
        names = sorted(p.name for p in paths)
        tables = con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            "where schema_name in ('marts', 'metrics')"
        ).fetchall()
        assert names == sorted(f"{t}.parquet" for (t,) in tables)
        assert len(names) == 11  # six marts and five metrics tables in the fixture
        for path in paths:
            expected = con.sql(f"select * from {path.name.removesuffix('.parquet')}")
            assert pq.read_table(path).equals(expected.to_arrow_table()), path.name


def test_greentrack_export_writes_both_from_the_published_warehouse(warehouse, tmp_path):
    from pipelines import cli

    published = tmp_path / "warehouse" / "green_transport.duckdb"
    published.parent.mkdir()
    published.write_bytes(warehouse.read_bytes())
    out = tmp_path / "out"
    argv = ["export", "--warehouse-dir", str(published.parent), "--out", str(out)]
    assert cli.main([*argv, "--xlsx"]) == 0
    assert (out / "green_transport.xlsx").is_file() and not (out / "parquet").exists()
    assert cli.main([*argv, "--parquet"]) == 0
    assert len(list((out / "parquet").glob("*.parquet"))) == 11


def test_greentrack_export_without_a_warehouse_says_so_in_one_line(tmp_path, capsys):
    from pipelines import cli

    code = cli.main(["export", "--warehouse-dir", str(tmp_path), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "no published warehouse" in err
