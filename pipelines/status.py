"""`greentrack status`: the target gap, the last runs and source freshness, read-only.

The last runs come from the run log (failed runs never reach a published warehouse);
freshness compares each source's newest accepted file with its cadence as of today.

Whatever state the files are in, status answers in words, never with a traceback:
- exit 0: everything shown;
- exit 1: no published warehouse, or one that cannot be shown (not a DuckDB file, truncated,
  unreadable, or from a release without the tables status reads); one line says which;
- exit 3: the warehouse was shown, but the run log has damaged lines (skipped, so every
  record after them still shows) or cannot be read; one line says which.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import duckdb

from assets.operations.freshness import source_freshness
from pipelines import project
from pipelines.records import read_records
from pipelines.run_log import run_log_path
from pipelines.run_summary import format_table, gap_table
from pipelines.warehouse import table_exists

EXIT_SHOWN, EXIT_NOT_SHOWN, EXIT_RUN_LOG_DAMAGED = 0, 1, 3
RUN_COLUMNS = ("run_id", "started_at", "ended_at", "status", "exit_code", "metric_hash")
REQUIRED_TABLES = ("metrics.target_gap", "audit.source_files")


def last_runs_table(runs: list[dict], limit: int = 5) -> str:
    runs = runs[-limit:]
    if not runs:
        return "(no runs recorded)"
    rows = [tuple(str(r.get(c, ""))[:36] for c in RUN_COLUMNS) for r in reversed(runs)]
    return format_table(list(RUN_COLUMNS), rows)


def freshness_table(con: duckdb.DuckDBPyConnection, today: dt.date) -> str:
    rows = source_freshness(con, today)
    columns = ["source", "cadence", "newest_file_date", "age_days", "max_age_days", "stale"]
    return format_table(columns, [tuple(r[c] for c in columns) for r in rows])


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def warehouse_report(path: Path, today: dt.date) -> tuple[str, str]:
    """(gap table, freshness table) of the published warehouse; raises ValueError with a
    one-line reason when it cannot be shown."""
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            missing = [t for t in REQUIRED_TABLES if not table_exists(con, t)]
            if missing:
                raise ValueError(
                    f"{path} has no {', '.join(missing)} (published by an older release, or "
                    "not a greentrack warehouse); `greentrack run` publishes a current one"
                )
            return gap_table(con), freshness_table(con, today)
    except (duckdb.Error, OSError) as error:
        raise ValueError(f"cannot read the warehouse {path}: {_first_line(error)}") from error


def run_log_report() -> tuple[list[dict], str | None]:
    """(readable run records, a one-line problem with the run log or None)."""
    path = run_log_path()
    try:
        runs, damaged = read_records(path)
    except OSError as error:
        return [], f"cannot read the run log {path}: {error.strerror or error}"
    if not damaged:
        return runs, None
    numbers = ", ".join(str(n) for n in damaged[:10]) + (" …" if len(damaged) > 10 else "")
    return runs, (
        f"the run log {path} has {len(damaged)} damaged line(s) ({numbers}), cut short by a "
        "crash or not JSON; they are skipped, the runs after them are shown"
    )


def print_status(out=None, err=None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    path = project.published_warehouse_path()
    if not path.exists():
        print(
            f"greentrack status: no published warehouse at {path}; run `greentrack run`.", file=err
        )
        return EXIT_NOT_SHOWN
    today = dt.date.today()
    try:
        gap, freshness = warehouse_report(path, today)
    except ValueError as error:
        print(f"greentrack status: {error}", file=err)
        return EXIT_NOT_SHOWN
    runs, problem = run_log_report()
    print(f"Warehouse {path}\n", file=out)
    print("Target gap\n" + gap, file=out)
    print("\nLast runs\n" + last_runs_table(runs), file=out)
    print(f"\nSource freshness on {today}\n" + freshness, file=out)
    if problem:
        print(f"greentrack status: {problem}", file=err)
        return EXIT_RUN_LOG_DAMAGED
    return EXIT_SHOWN
