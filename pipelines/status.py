"""`greentrack status`: the target gap, the last runs and source freshness, read-only.

The last runs come from the run log (failed runs never reach a published warehouse);
freshness compares each source's newest accepted file with its cadence as of today.
"""

from __future__ import annotations

import datetime as dt
import sys

import duckdb

from assets.operations.freshness import source_freshness
from pipelines import project
from pipelines.run_log import read_runs
from pipelines.run_summary import format_table, gap_table

RUN_COLUMNS = ("run_id", "started_at", "ended_at", "status", "exit_code", "metric_hash")


def last_runs_table(limit: int = 5) -> str:
    runs = read_runs()[-limit:]
    if not runs:
        return "(no runs recorded)"
    rows = [tuple(str(r.get(c, ""))[:36] for c in RUN_COLUMNS) for r in reversed(runs)]
    return format_table(list(RUN_COLUMNS), rows)


def freshness_table(con: duckdb.DuckDBPyConnection, today: dt.date) -> str:
    rows = source_freshness(con, today)
    columns = ["source", "cadence", "newest_file_date", "age_days", "max_age_days", "stale"]
    return format_table(columns, [tuple(r[c] for c in columns) for r in rows])


def print_status(out=None, err=None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    path = project.published_warehouse_path()
    if not path.exists():
        print(
            f"greentrack status: no published warehouse at {path}; run `greentrack run`.", file=err
        )
        return 1
    with duckdb.connect(str(path), read_only=True) as con:
        print(f"Warehouse {path}\n", file=out)
        print("Target gap\n" + gap_table(con), file=out)
        print("\nLast runs\n" + last_runs_table(), file=out)
        print(
            f"\nSource freshness on {dt.date.today()}\n" + freshness_table(con, dt.date.today()),
            file=out,
        )
    return 0
