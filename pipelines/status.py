"""`greentrack status`: the target gap, the last runs and source freshness, read-only, in
Chinese with English beside (or as JSON with `--json`), times in China time (Asia/Shanghai).

The last runs come from the run log (failed runs never reach a published warehouse);
freshness compares each source's newest accepted file with its cadence as of today.

Whatever state the files are in, status answers in words, never with a traceback. The exit
code is the first that applies, so a monitor can act on it:
- exit 1: no published warehouse, or one that cannot be shown (not a DuckDB file, truncated,
  unreadable, or from a release without the tables status reads); one line says which;
- exit 3: the warehouse was shown, but the run log has damaged lines (skipped, so every
  record after them still shows) or cannot be read; one line says which;
- exit 4: shown, but the last recorded run failed (nothing was published by it);
- exit 5: shown, but at least one source is stale (older than its cadence allows, or never
  delivered);
- exit 0: shown, the last run published and every source fresh.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from assets.dashboards.labels import STATUS_WORDS
from assets.operations.freshness import source_freshness
from pipelines import project
from pipelines.records import read_records
from pipelines.run_log import run_log_path
from pipelines.run_summary import format_table
from pipelines.warehouse import fetch_frame, table_exists

EXIT_SHOWN, EXIT_NOT_SHOWN, EXIT_RUN_LOG_DAMAGED = 0, 1, 3
EXIT_LAST_RUN_FAILED, EXIT_SOURCE_STALE = 4, 5
REQUIRED_TABLES = ("metrics.target_gap", "audit.source_files")
LOCAL_TIME = ZoneInfo("Asia/Shanghai")  # run records are written in UTC
GAP_COLUMNS = {
    "indicator_id": "指标 indicator",
    "latest_period": "最新期 period",
    "latest_value": "最新值 latest",
    "target_value": "目标 target",
    "gap_pp": "差距 gap (pp)",
    "status": "状态 status",
    "units_to_close": "尚需车辆 to close",
    "as_of": "数据截至 as of",
}
RUN_COLUMNS = {
    "run_id": "运行 run",
    "started_at": "开始 started",
    "ended_at": "结束 ended",
    "status": "结果 status",
    "exit_code": "退出码 exit",
}
FRESHNESS_COLUMNS = {
    "source": "数据源 source",
    "cadence": "周期 cadence",
    "newest_file_date": "最新文件 newest file",
    "age_days": "天数 age (days)",
    "max_age_days": "允许 max (days)",
    "stale": "过期 stale",
}
RUN_WORDS = {"published": ("已发布", "published"), "failed": ("失败", "failed")}


def local_time(value) -> dt.datetime | None:
    """A run record's UTC timestamp (naive ISO text) in China time, to the second."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(LOCAL_TIME).replace(microsecond=0)


def _share(value) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _words(table: dict, code) -> str:
    zh, en = table.get(code, (code, code))
    return f"{zh} {en}" if zh != en else str(code)


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def read_warehouse(path: Path, today: dt.date) -> tuple[list[dict], list[dict]]:
    """(target gap rows, freshness rows) of the published warehouse; raises ValueError with
    a one-line reason when it cannot be shown."""
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            missing = [t for t in REQUIRED_TABLES if not table_exists(con, t)]
            if missing:
                raise ValueError(
                    f"{path} has no {', '.join(missing)} (published by an older release, or "
                    "not a greentrack warehouse); `greentrack run` publishes a current one"
                )
            gap = fetch_frame(con, "select * from metrics.target_gap order by indicator_id")
            return gap.to_dicts(), source_freshness(con, today)
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


def exit_code(runs: list[dict], freshness: list[dict], problem: str | None) -> int:
    if problem:
        return EXIT_RUN_LOG_DAMAGED
    if runs and runs[-1].get("status") != "published":
        return EXIT_LAST_RUN_FAILED
    if any(row["stale"] for row in freshness):
        return EXIT_SOURCE_STALE
    return EXIT_SHOWN


def status_document(path, gap, runs, freshness, problem, now: dt.datetime) -> dict:
    """Everything status shows, as JSON-ready values (dates ISO, times with +08:00)."""
    last_runs = [
        {
            "run_id": r.get("run_id"),
            "started_at": _iso(local_time(r.get("started_at"))),
            "ended_at": _iso(local_time(r.get("ended_at"))),
            "status": r.get("status"),
            "exit_code": r.get("exit_code"),
            "message": r.get("message"),
        }
        for r in reversed(runs[-5:])
    ]
    return {
        "warehouse": str(path),
        "checked_at": _iso(now),
        "exit_code": exit_code(runs, freshness, problem),
        "target_gap": [{k: _iso(v) for k, v in row.items()} for row in gap],
        "last_runs": last_runs,
        "last_run_failed": bool(runs) and runs[-1].get("status") != "published",
        "sources": [{k: _iso(v) for k, v in row.items()} for row in freshness],
        "stale_sources": [row["source"] for row in freshness if row["stale"]],
        "run_log_problem": problem,
    }


def _iso(value):
    """JSON-ready: dates and times as ISO text, DECIMAL columns as numbers."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return float(value) if isinstance(value, Decimal) else value


def _table(columns: dict, rows: list[tuple]) -> str:
    return format_table(list(columns.values()), rows) if rows else "(无 none)"


def status_text(document: dict) -> str:
    gap = [
        (
            r["indicator_id"], r.get("latest_period"), _share(r.get("latest_value")),
            _share(r.get("target_value")),
            "" if r.get("gap_pp") is None else f"{r['gap_pp']:.1f}",
            _words(STATUS_WORDS, r.get("status")), r.get("units_to_close"), r.get("as_of"),
        )
        for r in document["target_gap"]
    ]  # fmt: skip
    runs = [
        (
            str(r["run_id"] or "")[:36], _clock(r["started_at"]), _clock(r["ended_at"]),
            _words(RUN_WORDS, r["status"]), r["exit_code"],
        )
        for r in document["last_runs"]
    ]  # fmt: skip
    fresh = [
        (
            r["source"], r["cadence"], r["newest_file_date"], r["age_days"], r["max_age_days"],
            "是 yes" if r["stale"] else "否 no",
        )
        for r in document["sources"]
    ]  # fmt: skip
    checked = _clock(document["checked_at"])
    return "\n".join(
        [
            f"数据仓库 Warehouse {document['warehouse']}",
            f"查询时间 Checked at {checked} (北京时间 China time, Asia/Shanghai)",
            "",
            "目标差距 Target gap",
            _table(GAP_COLUMNS, gap),
            "",
            "最近运行 Last runs (北京时间 China time)",
            _table(RUN_COLUMNS, runs),
            "",
            f"数据时效 Source freshness on {checked[:10]}",
            _table(FRESHNESS_COLUMNS, fresh),
        ]
    )


def _clock(value: str | None) -> str:
    """ISO text with offset → `YYYY-MM-DD HH:MM:SS` (the heading names the zone)."""
    return "" if not value else value[:19].replace("T", " ")


def print_status(out=None, err=None, as_json: bool = False, now: dt.datetime | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    now = (now or dt.datetime.now(dt.UTC)).astimezone(LOCAL_TIME).replace(microsecond=0)
    path = project.published_warehouse_path()
    try:
        if not path.exists():
            raise ValueError(f"no published warehouse at {path}; run `greentrack run`.")
        gap, freshness = read_warehouse(path, now.date())
    except ValueError as error:
        print(f"greentrack status: {error}", file=err)
        if as_json:
            print(json.dumps({"exit_code": EXIT_NOT_SHOWN, "error": str(error)}), file=out)
        return EXIT_NOT_SHOWN
    runs, problem = run_log_report()
    document = status_document(path, gap, runs, freshness, problem, now)
    text = (
        json.dumps(document, ensure_ascii=False, indent=1, default=str)
        if as_json
        else status_text(document)
    )
    try:
        print(text, file=out)
        out.flush()
    except BrokenPipeError:  # `greentrack status | head`: the reader left, the code still counts
        pass
    if problem:
        print(f"greentrack status: {problem}", file=err)
    return document["exit_code"]
