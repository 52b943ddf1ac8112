"""The suites as data: every YAML builds, code sets come from reference.*, checks are wired."""

from __future__ import annotations

import duckdb
import pytest

from assets.quality.checks import CHECK_NAME, checks_for, quality_checks
from assets.quality.gx_adapter import is_expectation
from assets.quality.samples import mask_sample
from assets.quality.suite_builder import (
    SuiteSpecError,
    build_errors,
    build_expectation,
    load_suite_specs,
    offline_kwargs,
    parse_suite,
)
from assets.quality.validate import resolve_kwargs

SPECS = {spec.name: spec for spec in load_suite_specs()}
RAW_AND_INTERFACE_TABLES = [
    "raw.registrations",
    "raw.bus_fleet",
    "raw.taxi_fleet",
    "raw.survey_households",
    "raw.survey_persons",
    "raw.survey_trips",
    "metrics.indicator_values",
    "metrics.target_gap",
    "quality.reconciliation",
]
# (suite, column) pairs whose values are codes of a reference table: never a literal list.
CODE_COLUMNS = [
    ("raw.registrations", "plate_type"),
    ("raw.registrations", "vehicle_type"),
    ("raw.registrations", "usage"),
    ("raw.registrations", "fuel"),
    ("raw.registrations", "status"),
    ("raw.bus_fleet", "powertrain_label"),
    ("raw.taxi_fleet", "powertrain_label"),
    ("raw.taxi_fleet", "operating_area"),
    ("raw.survey_households", "town_code"),
    ("raw.survey_trips", "main_mode"),
    ("raw.survey_trips", "purpose"),
    ("marts.dim_vehicle", "usage_code"),
]


@pytest.mark.parametrize("table", RAW_AND_INTERFACE_TABLES)
def test_every_raw_and_interface_table_has_one_suite(table):
    assert table in SPECS
    assert SPECS[table].asset_key == tuple(table.split("."))


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_suite_builds_into_gx_expectations(name):
    spec = SPECS[name]
    assert build_errors(spec) == []
    built = [
        build_expectation(e, offline_kwargs(e.kwargs), i) for i, e in enumerate(spec.expectations)
    ]
    assert all(is_expectation(e) for e in built)
    assert {e.meta["severity"] for e in built} <= {"ERROR", "WARN"}
    assert spec.description


@pytest.mark.parametrize(("suite", "column"), CODE_COLUMNS)
def test_code_columns_read_their_set_from_reference_tables(suite, column):
    kwargs = [
        e.kwargs
        for e in SPECS[suite].expectations
        if e.kwargs.get("column") == column and e.type != "expect_column_values_to_be_of_type"
    ]
    code_rules = [k for k in kwargs if "value_set_from" in k or "letters_from" in k]
    assert code_rules, f"{suite}.{column} has no code-table rule"
    assert not [k for k in kwargs if "value_set" in k], "literal code list"


def test_columns_shorthand_gives_existence_and_type_per_column():
    spec = parse_suite({"suite": "raw.t", "columns": {"a": "varchar", "b": "date"}}, "t")
    assert [(e.type, e.kwargs) for e in spec.expectations] == [
        ("expect_column_to_exist", {"column": "a"}),
        ("expect_column_values_to_be_of_type", {"column": "a", "type_": "str"}),
        ("expect_column_to_exist", {"column": "b"}),
        ("expect_column_values_to_be_of_type", {"column": "b", "type_": "date"}),
    ]
    assert {e.severity for e in spec.expectations} == {"ERROR"}


def test_columns_list_expands_to_one_expectation_per_column_with_mostly():
    entry = {
        "type": "expect_column_values_to_not_be_null",
        "columns": ["a", "b"],
        "mostly": 0.99,
        "severity": "warn",
    }
    spec = parse_suite({"suite": "raw.t", "expectations": [entry]}, "t")
    assert [(e.kwargs, e.severity) for e in spec.expectations] == [
        ({"column": "a", "mostly": 0.99}, "WARN"),
        ({"column": "b", "mostly": 0.99}, "WARN"),
    ]
    built = build_expectation(spec.expectations[0], spec.expectations[0].kwargs, 0)
    assert built.mostly == 0.99
    assert built.severity == "warning"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"suite": "t"}, "schema.table"),
        ({"suite": "raw.t", "expectations": [{"type": "check_it"}]}, "GX expectation"),
        (
            {
                "suite": "raw.t",
                "expectations": [
                    {"type": "expect_column_to_exist", "column": "a", "severity": "FATAL"}
                ],
            },
            "severity",
        ),
        ({"suite": "raw.t", "columns": {"a": "text"}}, "unknown type"),
    ],
)
def test_badly_shaped_suite_files_are_refused_when_loaded(document, message):
    with pytest.raises(SuiteSpecError, match=message):
        parse_suite(document, "t.yaml")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"type": "expect_nothing_at_all"}, "expect_nothing_at_all"),
        ({"type": "expect_column_values_to_be_between", "kwargs": {"minimum": 1}}, "minimum"),
    ],
)
def test_unknown_types_and_kwargs_are_reported_by_the_offline_build(entry, message):
    spec = parse_suite({"suite": "raw.t", "expectations": [entry]}, "t.yaml")
    (error,) = build_errors(spec)
    assert message in error


def test_value_sets_are_read_from_the_warehouse_when_the_suite_runs():
    con = duckdb.connect()
    con.execute("create schema reference")
    con.execute("create table reference.usage as select * from (values ('A'), ('C'), ('R'))")
    con.execute("alter table reference.usage rename column col0 to code")
    con.execute("create table reference.fuel (code varchar)")
    con.execute("insert into reference.fuel values ('A'), ('C'), ('O'), ('AC')")
    assert resolve_kwargs(con, {"column": "u", "value_set_from": "reference.usage.code"}) == {
        "column": "u",
        "value_set": ["A", "C", "R"],
    }
    assert resolve_kwargs(
        con,
        {"value_set_from": "reference.usage.code", "value_set_extra": ["市区"]},
    ) == {"value_set": ["A", "C", "R", "市区"]}
    assert resolve_kwargs(con, {"letters_from": "reference.fuel.code"}) == {"regex": "^[ACO]+$"}
    with pytest.raises(ValueError, match="reference"):
        resolve_kwargs(con, {"value_set_from": "raw.registrations.usage; drop table x"})


def test_identifier_samples_show_pseudonyms_but_mask_anything_else():
    pseudonym = "a" * 64
    assert mask_sample([pseudonym, "苏E12345"], ["plate_pseudonym"], ["plate_pseudonym"]) == [
        pseudonym,
        "(masked: 7 characters, not a pseudonym)",
    ]
    rows = [{"plate_pseudonym": "苏E12345", "fleet_no": "B1"}]
    assert mask_sample(rows, [], ["plate_pseudonym"]) == [
        {"plate_pseudonym": "(masked: 7 characters, not a pseudonym)", "fleet_no": "B1"}
    ]
    pairs = [("2025-10-31", "LSV")]
    assert mask_sample(pairs, ["_file_date", "vin_pseudonym"], ["vin_pseudonym"]) == [
        ["2025-10-31", "(masked: 3 characters, not a pseudonym)"]
    ]


def test_one_blocking_check_per_suite_named_gx_suite():
    assert len(quality_checks) == len(SPECS)
    for check in quality_checks:
        (spec,) = check.check_specs
        assert spec.name == CHECK_NAME
        assert spec.blocking
        assert spec.asset_key.to_user_string().replace("/", ".") in SPECS


def test_checks_for_leaves_out_suites_of_assets_not_in_the_graph():
    from assets.quality.assets import quality_assets

    keys = {k.asset_key.to_user_string() for c in checks_for(quality_assets) for k in c.check_keys}
    assert keys == {"quality/reconciliation"}
