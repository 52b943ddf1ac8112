"""The suites against a clean warehouse and against the same warehouse broken on purpose.

The clean warehouse is built once by `greentrack run` on the tiny Taicang drop; each dirty
case copies it, breaks one thing with SQL (what ingest would never let through, or what a
wrong SQL model would write) and runs the suite directly, without Dagster.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from assets.quality import batches as batches_module
from assets.quality import validate as validate_module
from assets.quality.checks import suite_check
from assets.quality.data_docs import write_docs
from assets.quality.results import write_results
from assets.quality.suite_builder import load_suite_specs
from assets.quality.summary import quality_summary
from assets.quality.validate import validate_suite
from tests.conftest import TEST_KEY
from tests.fixtures.bad_inputs.run import greentrack_run, quality_graph
from tests.fixtures.bad_inputs.taicang_drop import REGISTRATIONS, write_drop

SPECS = {spec.name: spec for spec in load_suite_specs()}
GRAPH_KEYS = {key for asset in quality_graph()[0] for key in asset.keys}
IN_GRAPH = sorted(
    name for name, spec in SPECS.items() if dg.AssetKey(list(spec.asset_key)) in GRAPH_KEYS
)
BUS_LEDGER_FILE = "bus_fleet/bus_fleet_20251031.xlsx"


@pytest.fixture(scope="module")
def clean_warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("clean")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GREENTRACK_PSEUDONYM_KEY", TEST_KEY)
        write_drop(root / "data_raw")
        result = greentrack_run(root, patch)
    assert result.code == 0, result.err
    return root / "warehouse" / "green_transport.duckdb"


@pytest.fixture
def warehouse(clean_warehouse, tmp_path) -> duckdb.DuckDBPyConnection:
    copy = tmp_path / "broken.duckdb"
    shutil.copy(clean_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        yield con


def failures(con, suite: str) -> dict[str, tuple]:
    """{column or rule: (severity, unexpected_count)} of the failed expectations."""
    outcome = validate_suite(con, SPECS[suite])
    return {
        (e.expectation if e.expectation.startswith("unexpected_rows") else e.column): (
            e.severity,
            e.unexpected_count,
        )
        for e in outcome.failed()
    }


@pytest.mark.parametrize("suite", IN_GRAPH)
def test_clean_warehouse_passes_every_suite(clean_warehouse, suite):
    with duckdb.connect(str(clean_warehouse), read_only=True) as con:
        outcome = validate_suite(con, SPECS[suite])
    assert outcome.passed, outcome.summary()
    assert outcome.gx_seconds > 0


def test_clean_run_stored_one_result_row_per_expectation(clean_warehouse):
    with duckdb.connect(str(clean_warehouse), read_only=True) as con:
        stored = con.execute(
            "select suite, count(*), bool_and(success), count(distinct run_id) "
            "from quality.validation_results group by suite order by suite"
        ).fetchall()
        runs = con.execute("select suite, passed, gx_seconds from quality.suite_runs").fetchall()
    expected = {
        name: len(SPECS[name].expectations) + len(SPECS[name].unexpected_rows) for name in IN_GRAPH
    }
    assert {suite: count for suite, count, _, _ in stored} == expected
    assert all(ok and run_count == 1 for _, _, ok, run_count in stored)
    assert all(passed and seconds > 0 for _, passed, seconds in runs)


BROKEN = [
    (
        "metrics.indicator_values",
        "update metrics.indicator_values set numerator = denominator * 1.25, value = 1.25 "
        "where indicator_id = 'bus_clean_share' and period = '2025-10'",
        {"value": ("ERROR", 1), "denominator, numerator": ("ERROR", 1)},
    ),
    (
        "metrics.indicator_values",
        "update metrics.indicator_values set denominator = 0, numerator = 0 "
        "where indicator_id = 'urban_taxi_nev_share' and period = '2025-10'",
        {
            "denominator": ("ERROR", 1),
            "unexpected_rows: value_is_not_numerator_over_denominator": ("ERROR", 0),
        },
    ),
    (
        "metrics.target_gap",
        "delete from metrics.target_gap where indicator_id = 'transit_mode_share'",
        {"unexpected_rows: target_without_gap_row": ("ERROR", 1)},
    ),
    (
        "metrics.target_gap",
        "insert into metrics.target_gap select * from metrics.target_gap "
        "where indicator_id = 'bus_clean_share'",
        {"indicator_id, deadline": ("ERROR", 2)},
    ),
    (
        "raw.bus_fleet",
        "insert into raw.bus_fleet select * replace (_row_number + 100 as _row_number) "
        "from raw.bus_fleet where fleet_no = 'B001'",
        {"_source_file, fleet_no": ("ERROR", 2), "_source_file, plate_pseudonym": ("WARN", 2)},
    ),
    (
        "raw.survey_trips",
        "insert into raw.survey_trips select * replace (sha256('nobody') as hh_id) "
        "from raw.survey_trips limit 1",
        {
            "unexpected_rows: trip_without_person": ("ERROR", 1),
            "unexpected_rows: trip_without_household": ("ERROR", 1),
        },
    ),
    (
        "raw.survey_trips",
        "update raw.survey_trips set distance_km = 20 "
        "where main_mode = 1 and hh_id = (select min(hh_id) from raw.survey_trips "
        "where main_mode = 1) and trip_no = 1 and person_no = (select min(person_no) "
        "from raw.survey_trips where main_mode = 1 and hh_id = (select min(hh_id) "
        "from raw.survey_trips where main_mode = 1))",
        {"unexpected_rows: speed_above_mode_limit": ("ERROR", 1)},
    ),
    (
        "raw.survey_households",
        "update raw.survey_households set hh_weight = 0 "
        "where hh_id = (select min(hh_id) from raw.survey_households)",
        {"hh_weight": ("ERROR", 1)},
    ),
    (
        "raw.registrations",
        "insert into raw.registrations select * replace (_row_number + 1000 as _row_number) "
        "from raw.registrations where _row_number = 1",
        {"unexpected_rows: plate_twice_in_one_export": ("WARN", 2)},
    ),
    (
        "raw.registrations",
        "update raw.registrations set usage = 'X' where usage = 'D'",
        {"usage": ("ERROR", 25)},
    ),
    (
        "raw.registrations",
        "update raw.registrations set first_registered_on = date '2026-01-05' "
        "where usage = 'C' and plate_type = '01' and _row_number = 1",
        {"_file_date, first_registered_on": ("ERROR", 1)},
    ),
    (
        "raw.registrations",
        "update raw.registrations set vin_check_digit_ok = false where vin_pseudonym is not null",
        {"vin_check_digit_ok": ("WARN", 25)},
    ),
    (
        "marts.fct_survey_mode_share",
        "update marts.fct_survey_mode_share set weighted_share = weighted_share * 2",
        {"unexpected_rows: shares_do_not_add_up_to_one": ("ERROR", 1)},
    ),
    (
        "reference.targets",
        "update reference.targets set target = 1.5 where id = 'bus_clean_share'",
        {"target": ("ERROR", 1)},
    ),
    (
        "quality.reconciliation",
        "insert into quality.reconciliation (fleet, vehicle_id, plate_pseudonym, "
        "mismatch_kind, detail) values ('bus', 'B9', sha256('x'), 'usage_mismatch', 'test')",
        {"unexpected_rows: usage_mismatch": ("WARN", 1)},
    ),
]


@pytest.fixture(params=["one batch", "narrow batches"])
def batching(request, monkeypatch) -> str:
    """Run a test through both validation paths: tables above LARGE_TABLE_ROWS go through
    the narrow per-column-group batches (batches.py), which must give the same results.
    (The row slices past SLICE_ROWS are compared with one batch over every suite in
    test_narrow_batches_give_the_results_of_one_batch.)"""
    if request.param == "narrow batches":
        monkeypatch.setattr(validate_module, "LARGE_TABLE_ROWS", 0)
    return request.param


@pytest.mark.parametrize(("suite", "sql", "expected"), BROKEN, ids=[b[1][:60] for b in BROKEN])
def test_broken_warehouse_fails_the_suite_with_counts(warehouse, suite, sql, expected, batching):
    warehouse.execute(sql)
    found = failures(warehouse, suite)
    assert {k: v for k, v in found.items() if v[1] != 0 or k in expected} == {
        k: v for k, v in expected.items() if v[1] != 0
    }


def test_failure_summary_names_table_column_file_and_reason(warehouse, batching):
    warehouse.execute(
        "update raw.bus_fleet set in_service_on = date '2026-03-01' where fleet_no = 'B002'"
    )
    summary = validate_suite(warehouse, SPECS["raw.bus_fleet"]).summary()
    assert summary == (
        "[ERROR] raw.bus_fleet column _file_date, in_service_on: in_service_on after the "
        "ledger's own date: 1 of 25 rows; file(s) bus_fleet/bus_fleet_20251031.xlsx; "
        'sample [["2025-10-31", "2026-03-01"]]'
    )


def test_plaintext_plate_that_slipped_through_is_masked_in_the_sample(warehouse, batching):
    warehouse.execute(
        "update raw.registrations set plate_pseudonym = '苏E50001' where _row_number = 1"
    )
    outcome = validate_suite(warehouse, SPECS["raw.registrations"])
    (plate,) = [e for e in outcome.failed() if e.column == "plate_pseudonym"]
    assert plate.sample == ["(masked: 7 characters, not a pseudonym)"]
    assert plate.files == [REGISTRATIONS]
    assert "苏E50001" not in outcome.summary()


def test_missing_column_fails_the_schema_without_crashing(warehouse, batching):
    warehouse.execute("alter table raw.taxi_fleet drop column operating_area")
    outcome = validate_suite(warehouse, SPECS["raw.taxi_fleet"])
    failed = {(e.expectation, e.column) for e in outcome.failed("ERROR")}
    assert ("expect_column_to_exist", "operating_area") in failed
    assert outcome.severity == "ERROR"


def test_gx_validates_a_100k_row_registrations_table(warehouse, monkeypatch):
    warehouse.execute(
        "create or replace table raw.registrations as select r.* replace ("
        "sha256(r.plate_pseudonym || i::varchar) as plate_pseudonym, "
        "r._row_number * 10000 + i as _row_number, "
        "case when i % 1000 = 7 then false else r.vin_check_digit_ok end as vin_check_digit_ok, "
        "case when i = 5 then 'X' else r.usage end as usage) "
        "from raw.registrations as r, range(1352) as t(i) "
        "qualify row_number() over (order by i, r._row_number) <= 100000"
    )
    outcome = validate_suite(warehouse, SPECS["raw.registrations"])
    assert outcome.rows == 100_000
    assert {(e.column, e.unexpected_count) for e in outcome.failed()} == {("usage", 74)}
    (vin,) = [
        e
        for e in outcome.expectations
        if e.column == "vin_check_digit_ok" and e.expectation.endswith("not_be_in_set")
    ]
    assert vin.success and vin.unexpected_count == 148  # 0.4 % < 1 %: counted, not failed
    assert outcome.gx_seconds < 30
    # the same in four slices of at most 30 k rows (hash slices for the lineage key)
    monkeypatch.setattr(batches_module, "SLICE_ROWS", 30_000)
    sliced = validate_suite(warehouse, SPECS["raw.registrations"])
    assert _results(sliced) == _results(outcome)


def _results(outcome) -> list[tuple]:
    return [
        (e.expectation, e.column, e.success, e.unexpected_count, e.element_count, e.sample)
        for e in outcome.expectations
    ]


def test_narrow_batches_give_the_results_of_one_batch(warehouse, monkeypatch):
    """Every suite, on a warehouse with defects in dates, integers with nulls, codes and
    compound keys: the narrow-batch path reports what the one-frame path reports."""
    warehouse.execute(
        "update raw.registrations set first_registered_on = date '1975-06-01', "
        "usage = 'X' where _row_number in (2, 3)"
    )
    warehouse.execute(
        "insert into raw.bus_fleet select * replace (_row_number + 100 as _row_number) "
        "from raw.bus_fleet where fleet_no = 'B001'"
    )
    warehouse.execute(
        "update raw.gtfs_stop_times set stop_sequence = -1 where stop_sequence = 2 "
        "and trip_id = (select min(trip_id) from raw.gtfs_stop_times)"
    )
    one = {name: _results(validate_suite(warehouse, SPECS[name])) for name in IN_GRAPH}
    monkeypatch.setattr(validate_module, "LARGE_TABLE_ROWS", 0)
    narrow = {name: _results(validate_suite(warehouse, SPECS[name])) for name in IN_GRAPH}
    assert narrow == one
    # slices of 20 rows: the bus_fleet duplicate (row 26) is 25 rows after its original
    monkeypatch.setattr(batches_module, "SLICE_ROWS", 20)
    sliced = {name: _results(validate_suite(warehouse, SPECS[name])) for name in IN_GRAPH}
    assert sliced == one
    failed = {(e[1], e[3]) for e in one["raw.registrations"] if not e[2]}
    assert failed == {("usage", 2), ("first_registered_on", 2)}
    assert [e[5] for e in one["raw.registrations"] if e[1] == "first_registered_on" and not e[2]]
    assert ["1975-06-01"] in [e[5] for e in narrow["raw.registrations"] if not e[2]]


def test_dates_outside_datetime64_range_fall_back_and_still_fail(warehouse, monkeypatch):
    """A date no datetime64[ns] can hold (year 9999) must not crash the narrow path."""
    monkeypatch.setattr(validate_module, "LARGE_TABLE_ROWS", 0)
    warehouse.execute(
        "update raw.registrations set first_registered_on = date '9999-12-31' where _row_number = 4"
    )
    outcome = validate_suite(warehouse, SPECS["raw.registrations"])
    failed = {(e.column, e.unexpected_count, tuple(map(tuple, e.sample))) for e in outcome.failed()}
    assert failed == {("_file_date, first_registered_on", 1, (("2025-10-31", "9999-12-31"),))}
    assert all(e.error is None for e in outcome.expectations)


def _stub_and_downstream(key: list[str]):
    @dg.asset(key=key)
    def stub() -> None:
        """Stands in for the asset; the warehouse was built beforehand."""

    @dg.asset(key=["downstream"], deps=[key])
    def downstream() -> None:
        """Anything downstream, e.g. the publish asset."""

    return [stub, downstream]


@pytest.mark.parametrize(
    ("suite", "sql", "severity", "downstream_runs"),
    [
        (
            "metrics.indicator_values",
            "update metrics.indicator_values set value = 1.5 where period = '2025-10'",
            dg.AssetCheckSeverity.ERROR,
            False,
        ),
        (
            "raw.registrations",
            "update raw.registrations set vin_check_digit_ok = false",
            dg.AssetCheckSeverity.WARN,
            True,
        ),
    ],
)
def test_error_blocks_downstream_and_warn_does_not(
    clean_warehouse, tmp_path, suite, sql, severity, downstream_runs
):
    database = tmp_path / "w.duckdb"
    shutil.copy(clean_warehouse, database)
    with duckdb.connect(str(database)) as con:
        con.execute(sql)
    spec = SPECS[suite]
    result = dg.materialize(
        [*_stub_and_downstream(list(spec.asset_key)), suite_check(spec)],
        resources={"duckdb": DuckDBResource(database=str(database))},
        raise_on_error=False,
    )
    (evaluation,) = [
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    assert not evaluation.passed and evaluation.severity == severity
    assert evaluation.metadata["gx_seconds"].value > 0
    ran = {e.step_key for e in result.all_events if e.is_step_success}
    assert ("downstream" in ran) is downstream_runs
    with duckdb.connect(str(database), read_only=True) as con:
        pages = write_docs(con, result.run_id, tmp_path / "docs")
    text = (tmp_path / "docs" / f"{suite}.html").read_text(encoding="utf-8")
    assert len(pages) == 2 and 'class="ERROR">failed' in text or 'class="WARN">failed' in text


def test_data_docs_are_offline_html(clean_warehouse):
    site = clean_warehouse.parent.parent / "site" / "quality"
    pages = sorted(site.glob("*.html"))
    names = {p.stem for p in pages}
    assert names == {"index", *IN_GRAPH}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)\s*=\s*['\"]?(https?:)?//", text), page.name
        assert "<script" not in text
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "raw.registrations.html" in index


def test_samples_are_stored_as_json(clean_warehouse, tmp_path):
    with duckdb.connect(str(clean_warehouse), read_only=True) as con:
        samples = con.execute(
            "select unexpected_sample, files from quality.validation_results"
        ).fetchall()
    assert all(json.loads(s) == [] and json.loads(f) == [] for s, f in samples)


def test_run_summary_lines_count_suites_time_and_failures(warehouse):
    clean = quality_summary(warehouse)
    suites = len(IN_GRAPH)
    assert re.fullmatch(
        rf"Quality: {suites} suites, \d+ expectations, GX \d+\.\d s \(fetch \d+\.\d s\); "
        r"failed: 0 ERROR, 0 WARN",
        clean,
    )
    warehouse.execute("update raw.registrations set vin_check_digit_ok = false")
    ((run_id,),) = warehouse.execute("select distinct run_id from quality.suite_runs").fetchall()
    outcome = validate_suite(warehouse, SPECS["raw.registrations"])
    write_results(warehouse, run_id, "raw/registrations", outcome)
    lines = quality_summary(warehouse).splitlines()
    assert lines[0].endswith("failed: 0 ERROR, 1 WARN")
    assert lines[1] == (
        "  [WARN] raw.registrations vin_check_digit_ok: VIN check digit (position 9) fails; "
        "a warning, never a rejection (docs/sources.md) (74 rows); e.g. false"
    )
