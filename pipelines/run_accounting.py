"""The run record of a run that Dagster started (schedule, sensor, UI, `dagster job launch`):
the same line in runs.jsonl that `greentrack run` writes for its own runs, built after the run
from what the instance and the published warehouse know.

`greentrack run` writes its own record (it knows its exit code and prints it), so runs tagged
trigger=cli are left to it: every run has exactly one line.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg
import duckdb

from pipelines import project
from pipelines.instance import TRIGGER_TAG
from pipelines.run_summary import rejected_files

EXIT_OK, EXIT_FAILED, EXIT_REJECTED = 0, 1, 3


def recorded_by_cli(run: dg.DagsterRun) -> bool:
    return run.tags.get(TRIGGER_TAG) == "cli"


def _utc(timestamp: float | None) -> dt.datetime | None:
    if not timestamp:
        return None
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).replace(tzinfo=None)


def published_row(run_id: str) -> dict | None:
    """This run's audit.runs row in the published warehouse, if this run published it."""
    path = project.published_warehouse_path()
    if not path.is_file():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            row = con.execute(
                "select metric_hash, key_fingerprint, key_changed from audit.runs where run_id = ?",
                [run_id],
            ).fetchone()
    except duckdb.Error:
        return None
    if row is None:
        return None
    return {"metric_hash": row[0], "key_fingerprint": row[1], "key_changed": row[2]}


def dagster_run_record(
    instance: dg.DagsterInstance, run: dg.DagsterRun, failure: str | None
) -> dict:
    """The runs.jsonl record of a finished run; `failure` is the failure's message, or None
    when the run succeeded."""
    stats = instance.get_run_stats(run.run_id)
    record = {
        "run_id": run.run_id,
        "trigger": run.tags.get(TRIGGER_TAG, "ui"),
        "started_at": _utc(stats.start_time),
        "ended_at": _utc(stats.end_time),
        "published": False,
    }
    if failure is not None:
        record.update(status="failed", exit_code=EXIT_FAILED, message=failure[:4000])
        return record
    published = published_row(run.run_id)
    if published is None:  # a partial materialisation from the UI: nothing to publish
        record.update(status="not_published", exit_code=None)
        return record
    rejected = rejected_files(project.published_warehouse_path())
    record.update(
        status="published",
        exit_code=EXIT_REJECTED if rejected else EXIT_OK,
        published=True,
        **published,
    )
    return record
