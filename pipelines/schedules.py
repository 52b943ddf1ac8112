"""The nightly run: 02:00 Asia/Shanghai, the whole graph, ending in publication."""

import dagster as dg

from pipelines.instance import TRIGGER_TAG
from pipelines.loggers import RUN_LOGGER_CONFIG

nightly_job = dg.define_asset_job(
    "nightly_refresh",
    selection=dg.AssetSelection.all(),
    description="Ingest every source, rebuild every model, run every check, publish.",
    config=RUN_LOGGER_CONFIG,  # the run's log to <warehouse-dir>/logs/, short lines on stderr
    # a run launched by hand (the UI, `dagster job launch`); the schedule, the sensor and
    # `greentrack run` tag their runs with their own trigger
    tags={TRIGGER_TAG: "ui"},
)

nightly_schedule = dg.ScheduleDefinition(
    name="nightly_0200_asia_shanghai",
    job=nightly_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    tags={TRIGGER_TAG: "schedule"},
    description="Every night at 02:00 China Standard Time, before the bureau's morning.",
)
