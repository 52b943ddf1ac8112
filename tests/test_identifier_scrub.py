"""Identifier-looking values in any text: what is found, what is left alone, what it becomes."""

from __future__ import annotations

import re

import openpyxl
import polars as pl
import pytest

from assets.fleets.bus_ledger import COLUMNS as BUS_COLUMNS
from assets.ingest.columns import Column, map_columns
from assets.ingest.file_ingest import without_quoted_identifiers
from assets.ingest.identifier_scrub import scrub_series, scrub_text
from assets.ingest.outcome import FileOutcome, FileRejected
from assets.ingest.pseudonym import pseudonym_of
from assets.ingest.row_rules import FAILED_REASON
from assets.ingest.xlsx_files import read_xlsx_sheet
from tests.source_files import BUS_HEADER, write_bus_ledger

KEY = b"scrub-test-key"
# A published example of a valid resident ID number (check character X) and one computed by
# hand: 11010119900307003 → weighted sum 158, 158 mod 11 = 4 → check character '8'.
RESIDENT_ID = "11010519491231002X"
RESIDENT_ID_2 = "110101199003070038"


def marker(kind: str, normalised: str) -> str:
    return f"[{kind}:{pseudonym_of(normalised, KEY)}]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("苏ED12345", marker("plate", "苏ED12345")),  # new-energy, 6 after the letter
        ("苏E12345", marker("plate", "苏E12345")),
        ("苏E·D12345", marker("plate", "苏ED12345")),
        ("苏E D12345", marker("plate", "苏ED12345")),
        ("苏 E-12345", marker("plate", "苏E12345")),
        ("苏Ｅ·Ｄ１２３４５", marker("plate", "苏ED12345")),  # full-width forms
        ("苏e12345", marker("plate", "苏E12345")),
        ("苏E1234挂", marker("plate", "苏E1234挂")),
        (
            "车主 京A12345、沪B54321。",
            f"车主 {marker('plate', '京A12345')}、{marker('plate', '沪B54321')}。",
        ),
        ("LSVAB2180C2000001", marker("vin", "LSVAB2180C2000001")),
        ("lsvab2180c2000001", marker("vin", "LSVAB2180C2000001")),
        ("ＬＳＶＡＢ２１８０Ｃ２０００００１", marker("vin", "LSVAB2180C2000001")),
        (
            '{"车架号":"LSVAB2180C2000001"}',
            '{"车架号":"' + marker("vin", "LSVAB2180C2000001") + '"}',
        ),
        ("车架号LSVAB2180C2000001号", f"车架号{marker('vin', 'LSVAB2180C2000001')}号"),
        (RESIDENT_ID, marker("resident_id", RESIDENT_ID)),
        (RESIDENT_ID.lower(), marker("resident_id", RESIDENT_ID)),
        (f"身份证:{RESIDENT_ID_2}", f"身份证:{marker('resident_id', RESIDENT_ID_2)}"),
    ],
)
def test_identifiers_become_markers_with_the_column_pseudonym(text, expected):
    assert scrub_text(text, KEY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "0123456789abcdef" * 4,  # a sha256 hex digest
        "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        "2025-10-31",
        "20251031",
        "2021年3月5日",
        "320585101",  # 9- and 12-digit admin codes
        "320585101001",
        "B001",  # fleet numbers, GTFS ids, times, routes
        "trip_101_weekday_0730",
        "shape-101-0-20250701",
        "123e4567-e89b-12d3-a456-426614174000",
        "25:10:00",
        "12345678901234567",  # 17 digits: no letter, not a VIN
        "ABCDEFGHJKLMNPRST",  # 17 letters: no digit
        "LSVAB2180C20000011",  # 18 characters: neither VIN nor ID number
        "LSVIB2180C2000001",  # I never appears in a VIN
        "110105194912310021",  # an ID number with a wrong check character
        "110105194913310029",  # an ID number with month 13
        "苏州北站",
        "K1001路",
        "太仓市公共交通有限公司",
        "",
    ],
)
def test_ordinary_values_are_left_alone(text):
    assert scrub_text(text, KEY) == text


def test_scrubbing_twice_changes_nothing():
    once = scrub_text(f"苏E·D12345 LSVAB2180C2000001 {RESIDENT_ID}", KEY)
    assert scrub_text(once, KEY) == once
    assert re.fullmatch(
        r"\[plate:[0-9a-f]{64}\] \[vin:[0-9a-f]{64}\] \[resident_id:[0-9a-f]{64}\]", once
    )


def test_a_series_keeps_nulls_and_untouched_rows():
    values = pl.Series(["个人", None, "苏E12345", "太仓公交"])
    assert scrub_series(values, KEY).to_list() == [
        "个人",
        None,
        marker("plate", "苏E12345"),
        "太仓公交",
    ]


def test_file_name_and_reason_of_an_outcome_are_scrubbed(monkeypatch):
    monkeypatch.setenv("GREENTRACK_PSEUDONYM_KEY", KEY.decode())
    outcome = FileOutcome("registrations", "registrations/苏E12345_20251031.csv", "", None)
    outcome.reject(FileRejected(outcome.file_name, "unknown code 'LSVAB2180C2000001'"))
    assert "苏E12345" not in outcome.file_name and "LSVAB2180C2000001" not in outcome.reason
    assert marker("vin", "LSVAB2180C2000001") in outcome.reason


def test_a_reason_never_quotes_its_own_identifier_value():
    frame = pl.DataFrame(
        {
            "plate": ["XYZ", "ABCDEFG", "1"],
            FAILED_REASON: ["bad plate 'XYZ'", "bad plate ABCDEFG here", "row 1: plate '1'"],
        }
    )
    cleaned = without_quoted_identifiers(frame, ["plate"]).get_column(FAILED_REASON)
    assert cleaned.to_list() == [
        "bad plate '<plate>'",
        "bad plate <plate> here",
        "row 1: plate '<plate>'",
    ]


COLUMNS = [Column("plate", "号牌号码"), Column("owner", "所有人", required=False)]


@pytest.mark.parametrize(
    ("headers", "named"),
    [
        (["号牌号码", "所有人", "号牌号码_duplicated_0"], "号牌号码 (plate)"),  # polars' renaming
        (["号牌号码", " 号牌号码 "], "号牌号码 (plate)"),
        (["号牌号码", "ＰＬＡＴＥ"], "号牌号码 (plate)"),  # the English name, full-width, any case
        (["号牌号码", "备注", "备注_duplicated_0"], "备注"),  # an unknown column twice
    ],
)
def test_a_header_that_appears_twice_rejects_the_file(headers, named):
    frame = pl.DataFrame({h: ["苏E12345"] for h in headers})
    with pytest.raises(FileRejected) as error:
        map_columns(frame, COLUMNS, "registrations/registrations_20251031.csv")
    assert error.value.column == named
    assert "appears twice" in str(error.value)


def test_blank_headers_may_repeat():
    frame = pl.DataFrame({"号牌号码": ["苏E1"], "": [None], "_duplicated_0": [None]})
    assert map_columns(frame, COLUMNS, "f.csv").columns == ["plate", "owner", "_extra"]


def test_a_ledger_header_that_appears_twice_rejects_the_file(tmp_path):
    path = write_bus_ledger(tmp_path / "bus_fleet_20251031.xlsx", [])
    book = openpyxl.load_workbook(path)
    book.active.cell(row=1, column=len(BUS_HEADER) + 1, value="号牌号码")
    book.active.append(["B1", "苏E00901", *[None] * 8, "苏E00902"])
    book.save(path)
    text, _, _ = read_xlsx_sheet(path.read_bytes(), "bus.xlsx", "车辆台账")
    with pytest.raises(FileRejected) as error:
        map_columns(text, BUS_COLUMNS, "bus.xlsx")
    assert error.value.column == "号牌号码 (plate)"
