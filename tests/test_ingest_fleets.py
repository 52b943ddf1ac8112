"""raw.bus_fleet (xlsx) and raw.taxi_fleet (CSV) from tiny hand-made ledgers."""

from __future__ import annotations

import datetime as dt

import pytest

from assets.fleets.assets import raw_bus_fleet, raw_taxi_fleet
from assets.ingest.pseudonym import pseudonym_of
from assets.reference.assets import reference_tables
from tests.conftest import TEST_KEY, materialise, rows
from tests.source_files import TAXI_HEADER, good_buses, write_bus_ledger, write_csv

KEY = TEST_KEY.encode()


def _bus_run(workspace, ledger_rows, sheet="车辆台账", name="bus_fleet_20251031.xlsx"):
    write_bus_ledger(workspace / "data_raw" / "bus_fleet" / name, ledger_rows, sheet)
    return materialise([reference_tables, raw_bus_fleet], workspace / "w.duckdb")


def test_bus_dates_as_date_cells_serials_and_text_all_parse(workspace):
    ledger = [
        [
            "B1",
            "苏E·D12345",
            "101",
            12,
            40,
            "纯电动",
            dt.datetime(2020, 1, 2),
            None,
            "运营",
            "太仓公交",
        ],
        ["B2", "苏E22345", None, "10.5", "31", "LNG", 43832, "", "备用", "太仓公交"],
        ["B3", "苏E32345", "S1", 8, 20, "柴油", "2015年6月1日", "2020/1/2", "报废", "太仓公交"],
    ]
    con = _bus_run(workspace, ledger)
    assert rows(
        con,
        "select * exclude (_extra, _source_file, _source_sha256, _file_date, _loaded_at) "
        "from raw.bus_fleet order by fleet_no",
    ) == [
        (
            "B1",
            pseudonym_of("苏ED12345", KEY),
            "101",
            12.0,
            40,
            "纯电动",
            dt.date(2020, 1, 2),
            None,
            "运营",
            "太仓公交",
            1,
        ),
        # Excel serial 43832 = 1899-12-30 + 43832 days = 2020-01-02
        (
            "B2",
            pseudonym_of("苏E22345", KEY),
            None,
            10.5,
            31,
            "LNG",
            dt.date(2020, 1, 2),
            None,
            "备用",
            "太仓公交",
            2,
        ),
        (
            "B3",
            pseudonym_of("苏E32345", KEY),
            "S1",
            8.0,
            20,
            "柴油",
            dt.date(2015, 6, 1),
            dt.date(2020, 1, 2),
            "报废",
            "太仓公交",
            3,
        ),
    ]


BUS_DEFECTS = [
    (
        ["B1", "苏E00001", "101", 12, 40, "纯电动", "2020-01-01", None, "报废", "x"],
        "retired_on",
        "报废",
    ),
    (
        ["B2", "苏E00002", "101", 12, 40, "纯电动", "2020-01-01", "2019-12-31", "报废", "x"],
        "retired_on",
        "precedes",
    ),
    (
        ["B3", "苏E00003", "101", 12, 40, "蒸汽机", "2020-01-01", None, "运营", "x"],
        "powertrain_label",
        "unknown powertrain label '蒸汽机'",
    ),
    (
        ["B4", "苏E00004", "101", 25, 40, "纯电动", "2020-01-01", None, "运营", "x"],
        "length_m",
        "≤ 18",
    ),
    (["B5", "苏E00005", "101", 12, -1, "纯电动", "2020-01-01", None, "运营", "x"], "seats", "≥ 0"),
    (
        ["B900", "苏E00006", "101", 12, 40, "纯电动", "2020-01-01", None, "运营", "x"],
        "fleet_no",
        "duplicate fleet_no 'B900' (first at row 1)",
    ),
    (
        ["B7", "苏E00007", "101", 12, 40, "纯电动", "2030-13-01", None, "运营", "x"],
        "in_service_on",
        "unrecognised date",
    ),
]


def test_bus_defects_are_quarantined(workspace):
    con = _bus_run(workspace, good_buses(140) + [d[0] for d in BUS_DEFECTS])  # 7 of 147 = 4.8 %
    found = rows(
        con, "select row_number, column_name, reason from quality.quarantine order by row_number"
    )
    assert [(n, c) for n, c, _ in found] == [(141 + i, d[1]) for i, d in enumerate(BUS_DEFECTS)]
    for (_, _, reason), defect in zip(found, BUS_DEFECTS, strict=True):
        assert defect[2] in reason
    assert rows(con, "select rows_read, rows_loaded, rows_quarantined from audit.source_files") == [
        (147, 140, 7)
    ]


def test_wrong_sheet_name_rejects_the_ledger(workspace):
    con = _bus_run(workspace, good_buses(3), sheet="Sheet1")
    status, reason = rows(con, "select status, reason from audit.source_files")[0]
    assert status == "rejected"
    assert "bus_fleet/bus_fleet_20251031.xlsx" in reason and "车辆台账" in reason


def test_truncated_xlsx_is_rejected_as_unreadable(workspace):
    path = write_bus_ledger(
        workspace / "data_raw" / "bus_fleet" / "bus_fleet_20251031.xlsx", good_buses(3)
    )
    path.write_bytes(path.read_bytes()[:400])
    con = materialise([reference_tables, raw_bus_fleet], workspace / "w.duckdb")
    status, reason = rows(con, "select status, reason from audit.source_files")[0]
    assert status == "rejected" and "unreadable xlsx" in reason


def _taxi_run(workspace, lines, encoding="utf-8-sig"):
    write_csv(
        workspace / "data_raw" / "taxi_fleet" / "taxi_fleet_20251031.csv",
        TAXI_HEADER,
        lines,
        encoding,
    )
    return materialise([reference_tables, raw_taxi_fleet], workspace / "w.duckdb")


def test_taxi_register_loads_with_bom(workspace):
    con = _taxi_run(workspace, ["太仓出租,苏E·D00001,巡游出租车,纯电动,市区,2021/3/5,"])
    assert rows(
        con,
        "select company, plate_pseudonym, taxi_kind, powertrain_label, "
        "operating_area, in_service_on, exited_on from raw.taxi_fleet",
    ) == [
        (
            "太仓出租",
            pseudonym_of("苏ED00001", KEY),
            "巡游出租车",
            "纯电动",
            "市区",
            dt.date(2021, 3, 5),
            None,
        )
    ]
    assert rows(con, "select encoding from audit.source_files") == [("utf-8-sig",)]


@pytest.mark.parametrize(
    ("line", "column", "reason"),
    [
        ("太仓出租,苏E00002,黑车,纯电动,市区,2021-03-05,", "taxi_kind", "unknown 车辆类别"),
        ("太仓出租,苏E00002,巡游出租车,纯电动,上海,2021-03-05,", "operating_area", "'上海'"),
        ("太仓出租,苏E00002,巡游出租车,核动力,市区,2021-03-05,", "powertrain_label", "核动力"),
        ("太仓出租,苏E00002,巡游出租车,纯电动,市区,2021-03-05,2020-01-01", "exited_on", "precedes"),
        (",苏E00002,巡游出租车,纯电动,市区,2021-03-05,", "company", "required"),
    ],
)
def test_taxi_defects_are_quarantined(workspace, line, column, reason):
    good = [f"太仓出租,苏E1{i:04d},网约车,汽油,沙溪镇,2021-03-05," for i in range(20)]
    con = _taxi_run(workspace, good + [line])  # 1 of 21 = 4.8 %
    found = rows(con, "select row_number, column_name, reason from quality.quarantine")
    assert [(n, c) for n, c, _ in found] == [(21, column)]
    assert reason in found[0][2]
