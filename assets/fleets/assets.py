"""raw.bus_fleet and raw.taxi_fleet: the two fleet ledgers, full history, pseudonymised."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.fleets.bus_ledger import bus_format, bus_rules, ingest_bus_file
from assets.fleets.taxi_register import taxi_format, taxi_rules
from assets.ingest.discovery import BUS_FLEET, TAXI_FLEET
from assets.ingest.source_run import (
    WRITES_LEDGERS,
    empty_table,
    ingest_csv_file,
    run_source_ingest,
)


def _bus_files(found, data_raw, codes, key, loaded_at):
    return [ingest_bus_file(f.path, data_raw, codes, key, loaded_at) for f in found.files]


def _taxi_files(found, data_raw, codes, key, loaded_at):
    fmt, rules = taxi_format(), taxi_rules(codes)
    return [ingest_csv_file(f.path, data_raw, fmt, rules, key, loaded_at) for f in found.files]


def _ingest_ledger(context, duckdb, source, fmt, rules, ingest_files) -> dg.MaterializeResult:
    """Ingest every file of a ledger source; a source without files still gets its empty
    raw table, with the columns the row rules give it."""
    return dg.MaterializeResult(
        metadata=run_source_ingest(
            context,
            duckdb,
            source,
            ingest_files,
            lambda codes, key: {fmt.table: empty_table(fmt, rules(codes), key)},
        )
    )


@dg.asset(
    key=["raw", "bus_fleet"],
    metadata=WRITES_LEDGERS,
    group_name="fleets",
    kinds={"duckdb", "polars"},
    deps=[["reference", "powertrain"]],
    pool="warehouse",
)
def raw_bus_fleet(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """Bus ledgers (xlsx, sheet 车辆台账) from data_raw/bus_fleet/bus_fleet_YYYYMMDD.xlsx:
    every bus ever in the ledger, powertrain label checked against reference.powertrain,
    retirement dates checked against service dates, plates pseudonymised."""
    return _ingest_ledger(context, duckdb, BUS_FLEET, bus_format(), bus_rules, _bus_files)


@dg.asset(
    key=["raw", "taxi_fleet"],
    metadata=WRITES_LEDGERS,
    group_name="fleets",
    kinds={"duckdb", "polars"},
    deps=[["reference", "powertrain"], ["reference", "town"]],
    pool="warehouse",
)
def raw_taxi_fleet(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """Taxi registers (CSV) from data_raw/taxi_fleet/taxi_fleet_YYYYMMDD.csv: street-hail and
    ride-hailing cars with powertrain, operating area (市区 or a town) and service dates."""
    return _ingest_ledger(context, duckdb, TAXI_FLEET, taxi_format(), taxi_rules, _taxi_files)
