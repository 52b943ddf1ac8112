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
    fmt = bus_format()
    return dg.MaterializeResult(
        metadata=run_source_ingest(
            context,
            duckdb,
            BUS_FLEET,
            _bus_files,
            lambda codes, key: {fmt.table: empty_table(fmt, bus_rules(codes), key)},
        )
    )


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
    fmt = taxi_format()
    return dg.MaterializeResult(
        metadata=run_source_ingest(
            context,
            duckdb,
            TAXI_FLEET,
            _taxi_files,
            lambda codes, key: {fmt.table: empty_table(fmt, taxi_rules(codes), key)},
        )
    )
