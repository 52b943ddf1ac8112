"""The code location: assembles assets, checks, resources, schedules and sensors. Nothing else."""

import dagster as dg

from assets.dashboards.assets import dashboard_site
from assets.fleets.assets import raw_bus_fleet, raw_taxi_fleet
from assets.gtfs.assets import GTFS_ASSETS
from assets.operations.checks import freshness_checks
from assets.publish.assets import build_publish_asset
from assets.quality.assets import data_docs_asset
from assets.quality.checks import checks_for
from assets.reference.assets import reference_tables
from assets.registrations.assets import raw_registrations
from assets.surveys.analytics_assets import survey_analytics_assets
from assets.surveys.assets import raw_surveys
from assets.warehouse.assets import sql_model_assets
from pipelines.loggers import RUN_LOGGERS
from pipelines.resources import warehouse_resource
from pipelines.schedules import nightly_job, nightly_schedule
from pipelines.sensors import alert_on_run_failure, data_raw_changed, record_finished_run

# Assets whose tables are built in Python; the SQL models learn from them which asset writes
# each table a model reads.
PYTHON_TABLE_ASSETS = [
    reference_tables,
    raw_registrations,
    raw_bus_fleet,
    raw_taxi_fleet,
    raw_surveys,
    *GTFS_ASSETS,
    *survey_analytics_assets,
]
SQL_MODEL_ASSETS = sql_model_assets(PYTHON_TABLE_ASSETS)
WAREHOUSE_ASSETS = [*PYTHON_TABLE_ASSETS, *SQL_MODEL_ASSETS, dashboard_site]


def all_assets() -> list[dg.AssetsDefinition]:
    # The quality Data Docs go into the site after the dashboard has rebuilt it.
    built = [*WAREHOUSE_ASSETS, data_docs_asset(WAREHOUSE_ASSETS)]
    upstream = [key for asset in built for key in asset.keys]
    return [*built, build_publish_asset(upstream)]


def all_asset_checks() -> list:
    return [*freshness_checks({"gtfs": ["raw", "gtfs_routes"]}), *checks_for(all_assets())]


def build_definitions(database: str | None = None) -> dg.Definitions:
    return dg.Definitions(
        assets=all_assets(),
        asset_checks=all_asset_checks(),
        resources={"duckdb": warehouse_resource(database)},
        jobs=[nightly_job],
        schedules=[nightly_schedule],
        sensors=[data_raw_changed, record_finished_run, alert_on_run_failure],
        loggers=RUN_LOGGERS,  # full log to <warehouse-dir>/logs/, one line per warning on stderr
        # DuckDB allows one writer: every asset runs in the run's own process, one at a time.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
