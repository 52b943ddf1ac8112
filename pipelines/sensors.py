"""Sensors: start a run when data_raw/ changes; record every finished run; alert on failure.

The data_raw sensor fingerprints file names, sizes and modification times (cheap, no reading)
and requests a run keyed by that fingerprint, so the same drop never starts two runs.

The run-status sensors run in the daemon, after the run: they write the run's line in
runs.jsonl and, for a failure, the alert, for every run Dagster started. `greentrack run`
writes its own (pipelines/runner.py); its runs carry trigger=cli and are skipped here.
"""

from __future__ import annotations

import hashlib
import os

import dagster as dg

from pipelines import project
from pipelines.alerts import send_failure_alert
from pipelines.instance import TRIGGER_TAG
from pipelines.run_accounting import dagster_run_record, recorded_by_cli
from pipelines.run_log import append_run
from pipelines.schedules import nightly_job

SOURCE_SUFFIXES = {".csv", ".xlsx", ".zip"}
INTERVAL_ENV = "GREENTRACK_SENSOR_INTERVAL_SECONDS"
DEFAULT_INTERVAL_SECONDS = 300


def sensor_interval_seconds() -> int:
    """How often the daemon looks at data_raw/ (read when the code location loads)."""
    try:
        return max(1, int(os.environ.get(INTERVAL_ENV, DEFAULT_INTERVAL_SECONDS)))
    except ValueError:
        return DEFAULT_INTERVAL_SECONDS


def data_raw_fingerprint() -> str:
    root = project.data_raw_dir()
    entries = []
    if root.exists():
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix.lower() in SOURCE_SUFFIXES:
                stat = path.stat()
                entries.append(f"{path.relative_to(root)}|{stat.st_size}|{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(entries).encode()).hexdigest()


@dg.sensor(
    job=nightly_job,
    minimum_interval_seconds=sensor_interval_seconds(),
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def data_raw_changed(context: dg.SensorEvaluationContext):
    """Requests a full run when a source file in data_raw/ is new or changed."""
    fingerprint, previous = data_raw_fingerprint(), context.cursor
    if fingerprint == previous:
        return dg.SkipReason("data_raw/ unchanged")
    context.update_cursor(fingerprint)
    if previous is None:
        return dg.SkipReason("first look at data_raw/: recorded, no run")
    return dg.RunRequest(run_key=fingerprint, tags={TRIGGER_TAG: "sensor"})


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitor_all_code_locations=False,
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=5,
)
def record_finished_run(context: dg.RunStatusSensorContext):
    """The runs.jsonl line of a run that succeeded (published, or a partial UI run)."""
    if recorded_by_cli(context.dagster_run):
        return dg.SkipReason("greentrack run records its own runs")
    append_run(dagster_run_record(context.instance, context.dagster_run, failure=None))


@dg.run_failure_sensor(default_status=dg.DefaultSensorStatus.RUNNING, minimum_interval_seconds=5)
def alert_on_run_failure(context: dg.RunFailureSensorContext):
    """The runs.jsonl line, the structured failure line and the webhook of a failed run."""
    run = context.dagster_run
    if recorded_by_cli(run):
        return dg.SkipReason("greentrack run records and alerts its own runs")
    record = dagster_run_record(context.instance, run, failure=context.failure_event.message)
    append_run(record)
    send_failure_alert({**record, "job": run.job_name})
