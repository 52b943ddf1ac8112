"""Validation results as data: `quality.validation_results` and `quality.suite_runs`.

One row per expectation per run (and per suite per run), written by each suite's check
into the run's work file, so the published warehouse carries the results it was checked
with. A suite re-run within the same run replaces its own rows.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import polars as pl

from assets.quality.outcome import SuiteOutcome
from pipelines.sql_text import qualified
from pipelines.warehouse import append_rows, ensure_schemas

VALIDATION_RESULTS_DDL = """
create table if not exists quality.validation_results (
    run_id varchar, suite varchar, expectation varchar, "column" varchar, severity varchar,
    success boolean, unexpected_count bigint, element_count bigint,
    unexpected_sample varchar, files varchar, why varchar, error varchar,
    evaluated_at timestamp
)
"""
SUITE_RUNS_DDL = """
create table if not exists quality.suite_runs (
    run_id varchar, suite varchar, asset_key varchar, passed boolean, severity varchar,
    expectations bigint, failed_error bigint, failed_warn bigint, rows_validated bigint,
    gx_seconds double, fetch_seconds double, evaluated_at timestamp
)
"""
RESULT_SCHEMA = {
    "run_id": pl.String,
    "suite": pl.String,
    "expectation": pl.String,
    "column": pl.String,
    "severity": pl.String,
    "success": pl.Boolean,
    "unexpected_count": pl.Int64,
    "element_count": pl.Int64,
    "unexpected_sample": pl.String,
    "files": pl.String,
    "why": pl.String,
    "error": pl.String,
    "evaluated_at": pl.Datetime("us"),
}


def ensure_result_tables(con: duckdb.DuckDBPyConnection) -> None:
    ensure_schemas(con)
    con.execute(VALIDATION_RESULTS_DDL)
    con.execute(SUITE_RUNS_DDL)


def result_rows(run_id: str, outcome: SuiteOutcome, evaluated_at: dt.datetime) -> pl.DataFrame:
    rows = [
        {
            "run_id": run_id,
            "suite": outcome.suite,
            "expectation": e.expectation,
            "column": e.column,
            "severity": e.severity,
            "success": e.success,
            "unexpected_count": e.unexpected_count,
            "element_count": e.element_count,
            "unexpected_sample": json.dumps(e.sample, ensure_ascii=False, default=str),
            "files": json.dumps(e.files, ensure_ascii=False),
            "why": e.why,
            "error": e.error,
            "evaluated_at": evaluated_at,
        }
        for e in outcome.expectations
    ]
    return pl.DataFrame(rows, schema=RESULT_SCHEMA)


def write_results(
    con: duckdb.DuckDBPyConnection, run_id: str, asset_key: str, outcome: SuiteOutcome
) -> None:
    ensure_result_tables(con)
    evaluated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for table in ("quality.validation_results", "quality.suite_runs"):
        con.execute(
            f"delete from {qualified(table)} where run_id = ? and suite = ?",
            [run_id, outcome.suite],
        )
    append_rows(con, "quality.validation_results", result_rows(run_id, outcome, evaluated_at))
    suite_run = {
        "run_id": run_id,
        "suite": outcome.suite,
        "asset_key": asset_key,
        "passed": outcome.passed,
        "severity": outcome.severity,
        "expectations": len(outcome.expectations),
        "failed_error": len(outcome.failed("ERROR")),
        "failed_warn": len(outcome.failed("WARN")),
        "rows_validated": outcome.rows,
        "gx_seconds": outcome.gx_seconds,
        "fetch_seconds": outcome.fetch_seconds,
        "evaluated_at": evaluated_at,
    }
    append_rows(con, "quality.suite_runs", pl.DataFrame([suite_run]))
