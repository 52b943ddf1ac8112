"""raw.registrations from tiny hand-made GB18030 files: rows, quarantine, rejection, privacy."""

from __future__ import annotations

import datetime as dt

from assets.ingest.pseudonym import pseudonym_of
from assets.reference.assets import reference_tables
from assets.registrations.assets import raw_registrations
from tests.conftest import TEST_KEY, materialise, rows
from tests.source_files import REGISTRATION_HEADER, good_registrations, write_csv

KEY = TEST_KEY.encode()


def _run(workspace, files: dict[str, list[str]]):
    for name, lines in files.items():
        write_csv(workspace / "data_raw" / "registrations" / name, REGISTRATION_HEADER, lines)
    return materialise([reference_tables, raw_registrations], workspace / "w.duckdb")


def test_a_record_loads_normalised_and_pseudonymised(workspace):
    line = "苏Ｅ·Ｄ１２３４５,52,1M8GDM9AXKP042788,K33,A,AC,2021年3月5日,GE,20230102,个人,320585101"
    con = _run(workspace, {"registrations_20251031.csv": [line]})
    assert rows(con, "select * exclude (_loaded_at, _source_sha256) from raw.registrations") == [
        (
            pseudonym_of("苏ED12345", KEY),
            "52",
            pseudonym_of("1M8GDM9AXKP042788", KEY),
            True,
            "K33",
            "A",
            "AC",
            dt.date(2021, 3, 5),
            "GE",
            dt.date(2023, 1, 2),
            "个人",
            "320585101",
            "{}",
            "registrations/registrations_20251031.csv",
            dt.date(2025, 10, 31),
            1,
        )
    ]


def test_bad_check_digit_is_a_warning_not_a_rejection(workspace):
    line = "苏E12345,02,1M8GDM9A1KP042788,K33,A,A,2021-03-05,A,,个人,320585101"
    con = _run(workspace, {"registrations_20251031.csv": [line]})
    assert rows(con, "select vin_check_digit_ok from raw.registrations") == [(False,)]
    assert rows(con, "select rows_loaded, rows_quarantined, warnings from audit.source_files") == [
        (1, 0, 1)
    ]


BAD_ROWS = [
    ("苏E1234,02,,K33,A,A,2021-03-05,A,,个人,320585101", "plate", "plate format"),
    ("苏E12345,52,,K33,A,C,2021-03-05,A,,个人,320585101", "plate", "needs 6 characters"),
    (",02,,K33,A,A,2021-03-05,A,,个人,320585101", "plate", "required value is missing"),
    ("苏E12345,77,,K33,A,A,2021-03-05,A,,个人,320585101", "plate_type", "unknown plate_type"),
    ("苏E12345,02,1M8GDM9AXKP04278,K33,A,A,2021-03-05,A,,个人,320585101", "vin", "17 characters"),
    ("苏E12345,02,,K99,A,A,2021-03-05,A,,个人,320585101", "vehicle_type", "unknown vehicle_type"),
    ("苏E12345,02,,K33,W,A,2021-03-05,A,,个人,320585101", "usage", "unknown usage code 'W'"),
    ("苏E12345,02,,K33,A,AX,2021-03-05,A,,个人,320585101", "fuel", "unknown fuel"),
    ("苏E12345,02,,K33,A,A,2021.03.05,A,,个人,320585101", "first_registered_on", "unrecognised"),
    ("苏E12345,02,,K33,A,A,,A,,个人,320585101", "first_registered_on", "required"),
    ("苏E12345,02,,K33,A,A,2021-03-05,AZ,,个人,320585101", "status", "unknown vehicle_status"),
    ("苏E12345,02,,K33,A,A,2021-03-05,E,,个人,320585101", "status_changed_on", "contains E or B"),
    ("苏E12345,02,,K33,A,A,2021-03-05,A,,个人,3205851", "admin_code", "9 or 12 digits"),
]


def test_each_bad_row_is_quarantined_with_file_row_column_and_reason(workspace):
    bad = [line for line, _, _ in BAD_ROWS]
    lines = good_registrations(300) + bad  # 13 of 313 rows = 4.2 %: under the 5 % rule
    con = _run(workspace, {"registrations_20251031.csv": lines})
    found = rows(
        con,
        "select row_number, column_name, reason from quality.quarantine order by row_number",
    )
    assert [(n, c) for n, c, _ in found] == [(301 + i, c) for i, (_, c, _) in enumerate(BAD_ROWS)]
    for (_, _, reason), (_, _, expected) in zip(found, BAD_ROWS, strict=True):
        assert expected in reason
    assert rows(
        con, "select rows_read, rows_loaded, rows_quarantined, status from audit.source_files"
    ) == [(313, 300, 13, "accepted")]


def test_more_than_five_percent_bad_rows_rejects_the_file(workspace):
    bad = [line for line, _, _ in BAD_ROWS]  # 13 of 213 rows = 6.1 %
    con = _run(workspace, {"registrations_20251031.csv": good_registrations(200) + bad})
    status, reason, read, loaded, quarantined = rows(
        con,
        "select status, reason, rows_read, rows_loaded, rows_quarantined from audit.source_files",
    )[0]
    assert (status, read, loaded, quarantined) == ("rejected", 213, 0, 213)
    assert "registrations/registrations_20251031.csv" in reason and "6.1%" in reason
    assert rows(con, "select count(*) from raw.registrations") == [(0,)]


def test_missing_required_column_rejects_only_that_file(workspace):
    header_without_date = REGISTRATION_HEADER.replace(",初次登记日期", "")
    broken = workspace / "data_raw" / "registrations" / "registrations_20250930.csv"
    write_csv(broken, header_without_date, ["苏E12345,02,,K33,A,A,A,,个人,320585101"])
    con = _run(workspace, {"registrations_20251031.csv": good_registrations(2)})
    audit = rows(
        con,
        "select file_name, status, reason, rows_read, rows_loaded, rows_quarantined "
        "from audit.source_files order by file_name",
    )
    assert audit[0][:2] == ("registrations/registrations_20250930.csv", "rejected")
    assert "registrations_20250930.csv" in audit[0][2] and "初次登记日期" in audit[0][2]
    assert audit[0][3:] == (0, 0, 0)
    assert audit[1][:2] == ("registrations/registrations_20251031.csv", "accepted")
    assert rows(con, "select count(*) from raw.registrations") == [(2,)]


def test_extra_columns_are_kept_as_json(workspace):
    write_csv(
        workspace / "data_raw" / "registrations" / "registrations_20251031.csv",
        REGISTRATION_HEADER + ",备注",
        ["苏E12345,02,,K33,A,A,2021-03-05,A,,个人,320585101,二手车"],
    )
    con = materialise([reference_tables, raw_registrations], workspace / "w.duckdb")
    assert rows(con, "select _extra from raw.registrations") == [('{"备注":"二手车"}',)]
