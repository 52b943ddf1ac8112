"""The code location: assembles assets, checks, resources and schedules. Nothing else."""

import dagster as dg

from assets.fleets.assets import raw_bus_fleet, raw_taxi_fleet
from assets.publish.assets import build_publish_asset
from assets.reference.assets import reference_tables
from assets.registrations.assets import raw_registrations
from assets.surveys.assets import raw_surveys
from pipelines.resources import warehouse_resource
from pipelines.schedules import nightly_job, nightly_schedule

WAREHOUSE_ASSETS = [
    reference_tables,
    raw_registrations,
    raw_bus_fleet,
    raw_taxi_fleet,
    raw_surveys,
]


def all_assets() -> list[dg.AssetsDefinition]:
    upstream = [key for asset in WAREHOUSE_ASSETS for key in asset.keys]
    return [*WAREHOUSE_ASSETS, build_publish_asset(upstream)]


def build_definitions(database: str | None = None) -> dg.Definitions:
    return dg.Definitions(
        assets=all_assets(),
        resources={"duckdb": warehouse_resource(database)},
        jobs=[nightly_job],
        schedules=[nightly_schedule],
        # DuckDB allows one writer: every asset runs in the run's own process, one at a time.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
