"""Alerts after a publication: files rejected by this run, and stale sources, at most once a
day per source (a stale source stays stale for weeks; one message a day is news, one per run
is noise). The day is China's (Asia/Shanghai). Which source was alerted on which day is kept
in `<warehouse-dir>/stale_alerts.json`."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from assets.operations.freshness import source_freshness
from pipelines import project
from pipelines.alerts import send_alert
from pipelines.warehouse import table_exists

STALE_STATE_NAME = "stale_alerts.json"
LOCAL_DAY = ZoneInfo("Asia/Shanghai")


def local_today() -> dt.date:
    return dt.datetime.now(LOCAL_DAY).date()


def rejected_files(con: duckdb.DuckDBPyConnection) -> list[list[str]]:
    if not table_exists(con, "audit.source_files"):
        return []
    rows = con.execute(
        "select file_name, coalesce(reason, '') from audit.source_files "
        "where status = 'rejected' and coalesce(is_current, true) order by file_name"
    ).fetchall()
    return [list(row) for row in rows]


def stale_state_path() -> Path:
    return project.warehouse_dir() / STALE_STATE_NAME


def read_stale_state(path: Path) -> dict[str, str]:
    """{source: ISO day last alerted}; empty when missing or unreadable (alerting again
    beats staying silent)."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def write_stale_state(path: Path, state: dict[str, str]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(state, sort_keys=True), encoding="utf-8")
    os.replace(temporary, path)


def stale_sources_due(freshness: list[dict], alerted: dict[str, str], today: dt.date):
    """The stale sources not yet alerted today, JSON-ready."""
    return [
        {**row, "newest_file_date": row["newest_file_date"] and row["newest_file_date"].isoformat()}
        for row in freshness
        if row["stale"] and alerted.get(row["source"]) != today.isoformat()
    ]


def alert_after_publication(context, published: Path, today: dt.date | None = None) -> None:
    """Never raises: a publication stands whether or not its alerts could be sent."""
    today = today or local_today()
    run_id = context.run.run_id
    try:
        with duckdb.connect(str(published), read_only=True) as con:
            rejected = rejected_files(con)
            freshness = source_freshness(con, today)
        if rejected:
            send_alert({"event": "greentrack_files_rejected", "run_id": run_id, "files": rejected})
        state_path = stale_state_path()
        state = read_stale_state(state_path)
        due = stale_sources_due(freshness, state, today)
        if due:
            send_alert({"event": "greentrack_sources_stale", "run_id": run_id,
                        "day": today.isoformat(), "sources": due})  # fmt: skip
            alerted = {source["source"]: today.isoformat() for source in due}
            write_stale_state(state_path, {**state, **alerted})
    except (duckdb.Error, OSError) as error:
        context.log.warning(f"could not send the publication's alerts: {error}")
