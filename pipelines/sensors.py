"""Sensors: start a run when data_raw/ changes; alert when a run fails.

The data_raw sensor fingerprints file names, sizes and modification times (cheap, no reading)
and requests a run keyed by that fingerprint, so the same drop never starts two runs.
"""

from __future__ import annotations

import hashlib

import dagster as dg

from pipelines import project
from pipelines.alerts import send_failure_alert
from pipelines.schedules import nightly_job

SOURCE_SUFFIXES = {".csv", ".xlsx", ".zip"}


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
    job=nightly_job, minimum_interval_seconds=300, default_status=dg.DefaultSensorStatus.RUNNING
)
def data_raw_changed(context: dg.SensorEvaluationContext):
    """Requests a full run when a source file in data_raw/ is new or changed."""
    fingerprint, previous = data_raw_fingerprint(), context.cursor
    if fingerprint == previous:
        return dg.SkipReason("data_raw/ unchanged")
    context.update_cursor(fingerprint)
    if previous is None:
        return dg.SkipReason("first look at data_raw/: recorded, no run")
    return dg.RunRequest(run_key=fingerprint)


@dg.run_failure_sensor(default_status=dg.DefaultSensorStatus.RUNNING)
def alert_on_run_failure(context: dg.RunFailureSensorContext):
    """Writes the structured failure line and posts the webhook for runs started by Dagster."""
    send_failure_alert(
        {
            "run_id": context.dagster_run.run_id,
            "job": context.dagster_run.job_name,
            "message": context.failure_event.message,
        }
    )
