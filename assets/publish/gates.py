"""What must hold before a run may replace the published warehouse and dashboard.

These are decided inside the Dagster graph (the publish asset), so a run started by the
schedule, a sensor or the UI is held to them exactly as `greentrack run` is.

An empty drop: a `data_raw/` with no source file in it (emptied by mistake, or the run pointed
at the wrong folder) would build a warehouse of `no_data` and publish it over the good one.
"No source file" is read from what ingest recorded: no row in `audit.source_files` means no
source recognised any file, whatever else the folder holds. Publishing such a run takes an
explicit `--allow-empty` (run config `allow_empty`, or GREENTRACK_ALLOW_EMPTY=1 for runs the
daemon starts).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from pipelines.warehouse import table_exists

ALLOW_EMPTY_ENV = "GREENTRACK_ALLOW_EMPTY"
TRUE_WORDS = {"1", "true", "yes", "on"}


class NothingToPublish(Exception):
    """The run built nothing worth publishing; the published files stay as they are."""


def allow_empty_from_env() -> bool:
    return os.environ.get(ALLOW_EMPTY_ENV, "").strip().lower() in TRUE_WORDS


def source_file_count(con: duckdb.DuckDBPyConnection) -> int:
    """Files this run's ingest recognised as a source's (accepted or rejected)."""
    if not table_exists(con, "audit.source_files"):
        return 0
    return con.execute("select count(*) from audit.source_files").fetchone()[0]


def empty_drop_reason(data_raw: Path) -> str:
    return (
        f"data_raw {data_raw} holds no source file (empty, or not the drop folder): nothing "
        "was published; give --allow-empty (or GREENTRACK_ALLOW_EMPTY=1) to publish an empty "
        "warehouse on purpose"
    )


def require_source_files(con: duckdb.DuckDBPyConnection, data_raw: Path, allow_empty: bool) -> None:
    """Raise NothingToPublish when no source file was ingested and an empty run was not
    asked for. Call it before the history is carried forward into the work file."""
    if allow_empty or source_file_count(con) > 0:
        return
    raise NothingToPublish(empty_drop_reason(data_raw))
