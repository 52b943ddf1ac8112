"""raw.registrations: every vehicle record of every registrations export, pseudonymised."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.ingest.discovery import REGISTRATIONS
from assets.ingest.source_run import (
    WRITES_LEDGERS,
    empty_table,
    ingest_csv_file,
    run_source_ingest,
)
from assets.registrations.records import registration_format, registration_rules


def _ingest_files(found, data_raw, codes, key, loaded_at):
    fmt, rules = registration_format(), registration_rules(codes)
    return [
        ingest_csv_file(file.path, data_raw, fmt, rules, key, loaded_at) for file in found.files
    ]


def _empty_tables(codes, key):
    fmt = registration_format()
    return {fmt.table: empty_table(fmt, registration_rules(codes), key)}


@dg.asset(
    key=["raw", "registrations"],
    metadata=WRITES_LEDGERS,
    group_name="registrations",
    kinds={"duckdb", "polars"},
    deps=[
        ["reference", t] for t in ("plate_type", "usage", "fuel", "vehicle_status", "vehicle_type")
    ],
    pool="warehouse",
)
def raw_registrations(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """Vehicle registrations exports (GB18030 CSV, Chinese headers) from
    data_raw/registrations/registrations_YYYYMMDD.csv: headers matched, dates parsed, codes
    checked against reference.*, plates and VINs normalised then replaced by HMAC-SHA256
    pseudonyms. Bad rows go to quality.quarantine; every file is accounted in
    audit.source_files."""
    return dg.MaterializeResult(
        metadata=run_source_ingest(context, duckdb, REGISTRATIONS, _ingest_files, _empty_tables)
    )
