"""The one definition of the raw tables: what ingest, the suites and the doc take from it."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from assets.ingest.columns import map_columns
from assets.ingest.raw_tables import (
    date_fields,
    header_columns,
    raw_output,
    suite_columns,
    table_ddl,
)
from assets.ingest.raw_tables_doc import DOC, rendered_doc
from assets.quality.suite_builder import SuiteSpecError, parse_suite


def test_committed_doc_is_the_rendered_definition():
    text = DOC.read_text(encoding="utf-8")
    assert text == rendered_doc(text), "run: python -m assets.ingest.raw_tables_doc"


def test_bus_rows_take_their_names_and_types_from_the_definition():
    prepared = pl.DataFrame(
        {
            "fleet_no": ["B1"],
            "plate": ["hash"],
            "route": [None],
            "length_m": ["10.5"],
            "seats": ["30"],
            "powertrain_label": ["纯电动"],
            "in_service_on__date": [dt.date(2019, 1, 1)],
            "retired_on__date": [None],
            "status": ["运营"],
            "operator": ["太仓公交"],
            "in_service_on": ["2019/1/1"],  # the text as read: not in the raw table
        },
        schema_overrides={"retired_on__date": pl.Date, "route": pl.String},
    )
    rows = raw_output("raw.bus_fleet", prepared)
    assert rows.columns[:3] == ["fleet_no", "plate_pseudonym", "route"]
    assert rows.schema["seats"] == pl.Int32 and rows.schema["length_m"] == pl.Float64
    assert rows.row(0) == (
        "B1", "hash", None, 10.5, 30, "纯电动", dt.date(2019, 1, 1), None, "运营", "太仓公交"
    )  # fmt: skip


def test_a_computed_column_is_given_by_ingest():
    prepared = pl.DataFrame({"hh_id": ["h"], "town_code": ["320585100"], "hh_size": ["2"]})
    prepared = prepared.with_columns(
        pl.lit(None, pl.String).alias(n) for n in ("cars", "ebikes", "hh_weight")
    )
    rows = raw_output("raw.survey_households", prepared, wave_id=pl.lit("2024"))
    assert rows.row(0) == ("2024", "h", "320585100", 2, None, None, None)
    assert rows.schema["hh_size"] == pl.Int64


def test_headers_match_in_chinese_or_english_and_optional_ones_may_be_missing():
    text = pl.DataFrame({"ＰＬＡＴＥ": ["苏E1"], "经营者 ": ["x"], "车辆类别": ["网约车"]})
    text = text.with_columns(
        pl.lit("?").alias(h) for h in ("燃料类型", "operating_area", "投入运营日期", "退出日期")
    )
    mapped = map_columns(text, header_columns("raw.taxi_fleet"), "taxi.csv")
    assert mapped.columns[:3] == ["company", "plate", "taxi_kind"]
    assert mapped.row(0)[:3] == ("x", "苏E1", "网约车")
    assert date_fields("raw.taxi_fleet") == ("in_service_on", "exited_on")


def test_the_suite_of_a_raw_table_checks_the_definition_s_schema():
    spec = parse_suite({"suite": "raw.survey_persons"}, "raw.survey_persons.yaml")
    types = [e.kwargs for e in spec.expectations if "type_" in e.kwargs]
    checked = {kwargs["column"]: kwargs["type_"] for kwargs in types}
    assert list(checked) == [
        "wave_id", "hh_id", "person_no", "age", "sex", "occupation", "person_weight",
        "_source_file", "_row_number",  # no _file_date: survey file names carry no date
    ]  # fmt: skip
    assert checked["age"] == "int" and checked["person_weight"] == "float"
    assert "_file_date" in suite_columns("raw.registrations")
    assert suite_columns("raw.gtfs_stops") == {}


def test_a_raw_suite_may_not_list_the_columns_again():
    document = {"suite": "raw.taxi_fleet", "columns": {"company": "varchar"}}
    with pytest.raises(SuiteSpecError, match="raw_tables.yaml"):
        parse_suite(document, "raw.taxi_fleet.yaml")


def test_ddl_lists_the_columns_then_the_lineage():
    ddl = table_ddl("raw.taxi_fleet")
    assert ddl.startswith("company varchar, plate_pseudonym varchar, taxi_kind varchar")
    assert ddl.endswith("_row_number bigint, _loaded_at timestamp, _extra varchar")
