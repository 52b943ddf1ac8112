"""GTFS assets: raw feeds with their validation, and the scheduled service marts.

raw_gtfs              raw.gtfs_<table> ×10, marts.fct_gtfs_validation_notices,
                      marts.dim_gtfs_rule
gtfs_service_dates    intermediate.int_gtfs__service_dates
gtfs_trip_distances   intermediate.int_gtfs__sdt_units, intermediate.int_gtfs__shape_km

The feed-version dimension, the service metrics and bus-km by energy class are SQL models
between and after these (dbt_like_sql/marts/dim_gtfs_feed_version.sql, intermediate/
int_gtfs__*.sql, marts/fct_gtfs_{route,feed}_service_daily.sql,
marts/fct_gtfs_route_reconciliation.sql, metrics/gtfs_indicator_values.sql).
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.gtfs.feed_frames import empty_raw_frame
from assets.gtfs.ingest import ingest_feed_files
from assets.gtfs.notices import rule_catalogue
from assets.gtfs.service_tables import (
    SDT_UNITS,
    SERVICE_DATES,
    SHAPE_ENDS,
    SHAPE_KM,
    TRIP_PROFILES,
    write_sdt_units,
    write_service_dates,
    write_shape_km,
)
from assets.gtfs.tables import LOADED_TABLES, raw_table_name
from assets.ingest.code_sets import CODE_SET_TABLES
from assets.ingest.discovery import GTFS
from assets.ingest.source_run import WRITES_LEDGERS, run_source_ingest
from pipelines.warehouse import declarations, preview_markdown, replace_table

NOTICES = "marts.fct_gtfs_validation_notices"
RULES = "marts.dim_gtfs_rule"
RAW_KEYS = [["raw", f"gtfs_{table}"] for table in LOADED_TABLES]


def _key(table: str) -> list[str]:
    return table.split(".")


def _spec(table: str, deps: list) -> dg.AssetSpec:
    """A declared table a GTFS step writes; its description is its declaration's
    (dbt_like_sql/<layer>/<name>.sql), the one statement of what the table holds."""
    return dg.AssetSpec(
        key=_key(table),
        group_name="gtfs",
        kinds={"duckdb", "polars"},
        deps=deps,
        description=declarations()[table].description,
    )


def _result(con, table: str, rows: int) -> dg.MaterializeResult:
    return dg.MaterializeResult(
        asset_key=_key(table),
        metadata={"rows": rows, "preview": dg.MetadataValue.md(preview_markdown(con, table))},
    )


@dg.multi_asset(
    specs=[
        *[
            dg.AssetSpec(
                key=key,
                metadata=WRITES_LEDGERS,
                group_name="gtfs",
                kinds={"duckdb", "polars"},
                deps=[["reference", table] for table in CODE_SET_TABLES],
                description=f"GTFS {key[1].removeprefix('gtfs_')}.txt of every accepted feed "
                "version in data_raw/gtfs/, keyed by feed_version (zip sha256) and feed_name.",
            )
            for key in RAW_KEYS
        ],
        _spec(NOTICES, []),
        _spec(RULES, []),
    ],
    pool="warehouse",
)
def raw_gtfs(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """Every data_raw/gtfs/<feed_name>_YYYYMMDD.zip, read the gtfs-kit way and validated; a feed
    breaking a GTFS "must" rule is rejected whole (audit.source_files names rule, file, row)."""
    found = {}

    def ingest_files(discovery, data_raw, codes, key, loaded_at):
        paths = [f.path for f in discovery.files]
        outcomes, found["notices"] = ingest_feed_files(paths, data_raw, loaded_at, key)
        return outcomes

    def empty_tables(codes, key):
        return {raw_table_name(table): empty_raw_frame(table) for table in LOADED_TABLES}

    metadata = run_source_ingest(context, duckdb, GTFS, ingest_files, empty_tables)
    for key in RAW_KEYS:
        table_metadata = dict(metadata)
        table_metadata["rows"] = metadata.get(f"rows {'.'.join(key)}", 0)
        yield dg.MaterializeResult(asset_key=key, metadata=table_metadata)
    with duckdb.get_connection() as con:
        yield _result(con, NOTICES, replace_table(con, NOTICES, found["notices"]))
        yield _result(con, RULES, replace_table(con, RULES, rule_catalogue()))


@dg.multi_asset(
    specs=[_spec(SERVICE_DATES, [["raw", "gtfs_calendar"], ["raw", "gtfs_calendar_dates"]])],
    pool="warehouse",
)
def gtfs_service_dates(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """The calendar expanded into dates, in Python because the ingest's expiry check expands it
    the same way (service_calendar.py); read by the feed-version dimension and the service
    models."""
    with duckdb.get_connection() as con:
        yield _result(con, SERVICE_DATES, write_service_dates(con))


@dg.multi_asset(
    specs=[
        _spec(SDT_UNITS, [_key(TRIP_PROFILES)]),
        _spec(SHAPE_KM, [_key(SHAPE_ENDS), ["raw", "gtfs_shapes"]]),
    ],
    pool="warehouse",
)
def gtfs_trip_distances(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """The trip distances SQL cannot measure, for intermediate.int_gtfs__trip_km."""
    with duckdb.get_connection() as con:
        yield _result(con, SDT_UNITS, write_sdt_units(con))
        yield _result(con, SHAPE_KM, write_shape_km(con))


GTFS_ASSETS = [raw_gtfs, gtfs_service_dates, gtfs_trip_distances]
