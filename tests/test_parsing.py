"""Pure parsing rules of docs/sources.md: dates, plates, VINs, code letters, headers, encodings."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from assets.ingest import row_rules as rr
from assets.ingest.columns import Column, map_columns, normalise_header
from assets.ingest.dates import parse_date_expr, with_parsed_dates
from assets.ingest.identifiers import (
    normalise_plate_expr,
    plate_format_ok_expr,
    vin_check_digit_ok_expr,
    vin_format_ok_expr,
)
from assets.ingest.outcome import FileRejected
from assets.ingest.pseudonym import pseudonym_of, pseudonymise
from assets.ingest.text_files import read_csv_text, to_utf8


def _one(expr: pl.Expr, value):
    return pl.DataFrame({"v": [value]}, schema={"v": pl.String}).select(expr).item()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-03-05", dt.date(2021, 3, 5)),
        ("2021/3/5", dt.date(2021, 3, 5)),
        ("2021/03/05", dt.date(2021, 3, 5)),
        ("20210305", dt.date(2021, 3, 5)),
        ("2021年3月5日", dt.date(2021, 3, 5)),
        ("44260", dt.date(2021, 3, 5)),  # Excel serial: 1899-12-30 + 44260 days
        ("44260.0", dt.date(2021, 3, 5)),
        ("  2021-03-05 ", dt.date(2021, 3, 5)),
        ("2021-02-30", None),
        ("2021.03.05", None),
        ("05/03/2021", None),
        ("March 5, 2021", None),
        ("", None),
        (None, None),
    ],
)
def test_date_spellings(text, expected):
    assert _one(parse_date_expr(pl.col("v")), text) == expected


def test_dates_parsed_once_per_distinct_text_land_on_their_rows():
    frame = pl.DataFrame(
        {
            "on": ["2021/3/5", None, "44260", "2021/3/5", "", "bad", " 20210305", "2021/3/5"],
            "off": [None, "2021年3月5日", None, "2099-12-31", "2100-01-01", None, None, "2"],
            "keep": list(range(8)),
        },
        schema={"on": pl.String, "off": pl.String, "keep": pl.Int64},
    )
    out = with_parsed_dates(frame, ("on", "off"))
    march_5 = dt.date(2021, 3, 5)
    assert out.columns == ["on", "off", "keep", "on__date", "off__date"]
    assert out.get_column("on__date").to_list() == [
        march_5, None, march_5, march_5, None, None, march_5, march_5
    ]  # fmt: skip
    assert out.get_column("off__date").to_list() == [
        None, march_5, None, dt.date(2099, 12, 31), None, None, None, dt.date(1900, 1, 1)
    ]  # fmt: skip
    assert out.select("on", "off", "keep").equals(frame)


def test_no_dates_at_all_still_gives_date_columns():
    frame = pl.DataFrame({"on": [None, None]}, schema={"on": pl.String})
    out = with_parsed_dates(frame, ("on",))
    assert out.schema["on__date"] == pl.Date and out.get_column("on__date").null_count() == 2


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("苏E·D12345", "苏ED12345"),
        ("苏Ｅ·Ｄ１２３４５", "苏ED12345"),
        ("苏e d12345", "苏ED12345"),
        (" 苏E12345 ", "苏E12345"),
        ("沪A-12345", "沪A12345"),
    ],
)
def test_plate_normalisation(raw, normalised):
    assert _one(normalise_plate_expr(pl.col("v")), raw) == normalised


@pytest.mark.parametrize(
    ("plate", "new_energy", "ok"),
    [
        ("苏E12345", False, True),
        ("苏ED12345", True, True),
        ("苏E12345D", True, True),
        ("苏ED12345", False, False),  # 6 characters on an ordinary plate type
        ("苏E12345", True, False),  # 5 characters on a new-energy plate type
        ("苏E1234", False, False),
        ("AE12345", False, False),  # no province character
    ],
)
def test_plate_format(plate, new_energy, ok):
    frame = pl.DataFrame({"p": [plate], "ne": [new_energy]})
    assert frame.select(plate_format_ok_expr(pl.col("p"), pl.col("ne"))).item() is ok


@pytest.mark.parametrize(
    ("vin", "well_formed", "check_ok"),
    [
        ("1M8GDM9AXKP042788", True, True),  # the textbook example: check digit X
        ("1M8GDM9A1KP042788", True, False),
        ("11111111111111111", True, True),  # sum 1×(8+7+6+5+4+3+2+10+9+…+2) = 89; 89 mod 11 = 1
        ("1M8GDM9AXKP04278", False, None),  # 16 characters
        ("1M8GDM9AXKP0427O8", False, None),  # letter O never appears
    ],
)
def test_vin_rules(vin, well_formed, check_ok):
    assert _one(vin_format_ok_expr(pl.col("v")), vin) is well_formed
    assert _one(vin_check_digit_ok_expr(pl.col("v")), vin) is check_ok


@pytest.mark.parametrize(
    ("value", "fails"),
    [
        ("A", False),
        ("AC", False),
        ("BE", False),
        ("X", True),
        ("AX", True),
        ("a", True),
        (None, False),
    ],
)
def test_multi_letter_codes(value, fails):
    rule = rr.letters_in_code_table("fuel", ["A", "B", "C", "E", "O"], "fuel")
    frame = pl.DataFrame({"fuel": [value]}, schema={"fuel": pl.String})
    assert frame.select(rule.fails.fill_null(False)).item() is fails


@pytest.mark.parametrize(
    ("header", "normalised"),
    [
        (" 号牌号码 ", "号牌号码"),
        ("车长（米）", "车长(米)"),
        ("Ｐｌａｔｅ", "plate"),
        ("hh_id", "hh_id"),
    ],
)
def test_header_normalisation(header, normalised):
    assert normalise_header(header) == normalised


def test_headers_match_in_any_order_and_extras_are_kept():
    columns = [Column("plate", "号牌号码"), Column("route", "线路", required=False)]
    text = pl.DataFrame({"备注": ["x"], " 号牌号码": ["苏E12345"]})
    mapped = map_columns(text, columns, "f.csv")
    assert mapped.to_dicts() == [{"plate": "苏E12345", "route": None, "_extra": '{"备注":"x"}'}]


def test_missing_required_header_names_file_and_column():
    with pytest.raises(FileRejected) as error:
        map_columns(pl.DataFrame({"线路": ["1"]}), [Column("plate", "号牌号码")], "bus.xlsx")
    assert "bus.xlsx" in str(error.value) and "号牌号码" in str(error.value)


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        ("号牌号码\n苏E12345\n".encode("gb18030"), "gb18030"),
        ("号牌号码\n苏E12345\n".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "号牌号码\n苏E12345\n".encode(), "utf-8-sig"),
    ],
)
def test_encodings_are_detected(encoded, encoding):
    frame, found = read_csv_text(encoded, "f.csv")
    assert found == encoding
    assert frame.to_dicts() == [{"号牌号码": "苏E12345"}]


def test_undecodable_bytes_reject_the_file():
    with pytest.raises(FileRejected, match="neither UTF-8 nor GB18030"):
        to_utf8(b"plate\n\x81\x20\xff\xff\n", "bad.csv")


def test_vectorised_pseudonym_equals_standard_hmac():
    frame = pl.DataFrame({"plate": ["苏ED12345", None]})
    key = b"k" * 100  # longer than the 64-byte block: hashed first, as RFC 2104 says
    hashed = pseudonymise(frame, ["plate"], key).get_column("plate").to_list()
    assert hashed == [pseudonym_of("苏ED12345", key), None]
    assert len(hashed[0]) == 64


def test_the_first_failed_rule_names_column_and_reason_over_the_whole_file():
    frame = pl.DataFrame(
        {
            "key": ["a", "b", "a", None, "b", "c"],
            "code": ["1", "9", "9", "1", "1", "1"],
            "_row_number": [1, 2, 3, 4, 5, 6],
        }
    )
    rules = [
        rr.required("code"),  # fails nowhere in this file
        rr.first_occurrence("key"),
        rr.in_code_table("code", ["1", "2"], "code_table"),
    ]
    out = rr.apply_rules(frame, rules)
    assert out.columns == [*frame.columns, rr.FAILED_COLUMN, rr.FAILED_REASON]
    assert out.get_column(rr.FAILED_COLUMN).to_list() == [None, "code", "key", None, "key", None]
    reasons = out.get_column(rr.FAILED_REASON).to_list()
    assert reasons[0] is None and reasons[3] is None and reasons[5] is None
    assert reasons[2] == "duplicate key 'a' (first at row 1)"  # fails both; the first rule wins
    assert reasons[4] == "duplicate key 'b' (first at row 2)"  # row 2 itself fails another rule
    assert reasons[1] == "unknown code_table code '9'"


def test_a_file_where_no_rule_fails_has_null_string_columns():
    frame = pl.DataFrame({"code": ["1", "2"], "_row_number": [1, 2]})
    out = rr.apply_rules(frame, [rr.required("code"), rr.in_code_table("code", ["1", "2"], "t")])
    assert out.schema[rr.FAILED_COLUMN] == out.schema[rr.FAILED_REASON] == pl.String
    assert out.get_column(rr.FAILED_REASON).null_count() == 2
    assert out.columns == ["code", "_row_number", rr.FAILED_COLUMN, rr.FAILED_REASON]
