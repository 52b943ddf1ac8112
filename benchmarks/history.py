"""The "history" scenario: what a night costs as monthly registrations exports accumulate.

Four runs of `greentrack run` as child processes on one generated drop (as of 2025-12-31):
1. first run, one registrations snapshot (a fresh warehouse);
2. rerun with nothing changed (every ledger file carried from the version store);
3. a fresh warehouse on the 11 monthly snapshots of January to November (preparation);
4. the night the 12th (December) snapshot arrives, with 11 already published.
Each with wall time, peak RSS and the size of the published warehouse file, the seconds of
each stage and the largest tables of the published file, so that a goal not met names what
prevents it. The older snapshots are derived from the newest export, as a real ledger's
monthly exports are one vehicle population seen at successive dates: the export of a month end
holds the vehicles first registered by then, and a status changed after that date shows as
A (normal) with no change date. (Drops generated as of each month end would each be a new
random population, sharing ~4 % of their rows, which no history table can compress.)
Generation is timed but not counted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import time
from pathlib import Path

import duckdb
import polars as pl

from assets.ingest.dates import parse_date_expr
from assets.ingest.raw_tables import headers_by_field
from benchmarks.measure import in_child, run_pipeline_child
from pipelines.generate import generate_all
from pipelines.generate.registrations import ENCODING
from pipelines.project import WAREHOUSE_FILE_NAME

NEWEST = dt.date(2025, 12, 31)
MONTH_ENDS = [dt.date(2025, m + 1, 1) - dt.timedelta(days=1) for m in range(1, 12)] + [NEWEST]
GOALS = {"rerun": 0.25, "twelfth_wall": 1.25, "twelfth_rss": 1.25, "size": 1.3}


def largest_tables(published: Path, top: int = 5) -> dict[str, int]:
    """Rows of the published file's largest tables (DuckDB's estimate), largest first."""
    if not published.exists():
        return {}
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            "select schema_name || '.' || table_name, estimated_size from duckdb_tables() "
            "order by estimated_size desc limit ?",
            [top],
        ).fetchall()
    return {name: int(size) for name, size in rows}


def _measured(data_raw: Path, workdir: Path) -> dict:
    from benchmarks.run import stage_totals  # benchmarks.run imports this module

    run = run_pipeline_child(data_raw, workdir)
    published = workdir / "warehouse" / WAREHOUSE_FILE_NAME
    return {
        "exit_code": run["exit_code"],
        "wall_seconds": run["wall_seconds"],
        "peak_rss_mb": run["peak_rss_mb"],
        "published_mb": round(published.stat().st_size / 1024**2, 1)
        if published.exists()
        else None,
        "step_seconds": run["step_seconds"],
        "stages": stage_totals(run["step_seconds"]),
        "largest_tables": largest_tables(published),
    }


HEADERS = headers_by_field("raw.registrations")  # field name -> the export's header


def export_as_of(newest: Path, month_end: dt.date, out: Path) -> Path:
    """The registrations export of `month_end`, derived from the newest export (exports_as_of)."""
    return exports_as_of(newest, [month_end], out)[0]


def exports_as_of(newest: Path, month_ends: list[dt.date], out: Path) -> list[Path]:
    """The registrations export of each month end, derived from the newest export, which is
    read and parsed once: its vehicles first registered by then, a later status change not yet
    made. Dates are read in every spelling the ingest accepts (assets/ingest/dates.py). A row
    whose registration date does not parse (a seeded defect) is in every month, as it would be
    quarantined in every real export. Same encoding, header and line ends as the newest export."""
    text = newest.read_bytes().decode(ENCODING)
    header, *rows = (line.removesuffix("\r") for line in text.split("\n"))
    columns = next(csv.reader([header]))
    first, status, changed = (
        columns.index(HEADERS[field])
        for field in ("first_registered_on", "status", "status_changed_on")
    )
    parsed = [(line, next(csv.reader([line]))) for line in rows if line]
    dates = _dates({f[i] for _, f in parsed if len(f) == len(columns) for i in (first, changed)})
    paths = []
    for month_end in month_ends:
        kept = [header]
        for line, fields in parsed:
            if len(fields) != len(columns):
                kept.append(line)
                continue
            registered = dates.get(fields[first])
            if registered is not None and registered > month_end:
                continue
            change = dates.get(fields[changed])
            if change is not None and change > month_end:
                unchanged = list(fields)  # the parsed row serves every month: not in place
                unchanged[status], unchanged[changed] = "A", ""
                line = _csv_line(unchanged)
            kept.append(line)
        path = out / f"registrations_{month_end:%Y%m%d}.csv"
        path.write_bytes(("\r\n".join(kept) + "\r\n").encode(ENCODING))
        paths.append(path)
    return paths


def _dates(texts: set[str]) -> dict[str, dt.date]:
    """Each distinct date text parsed as the ingest parses it; unparseable texts left out."""
    frame = pl.DataFrame({"text": sorted(texts)}, schema={"text": pl.String})
    frame = frame.with_columns(parse_date_expr(pl.col("text")).alias("date")).drop_nulls()
    return dict(zip(frame["text"], frame["date"], strict=True))


def _csv_line(fields: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    return buffer.getvalue()


def monthly_snapshots(newest: Path, scratch: Path) -> list[Path]:
    """One registrations export per month end of 2025, December's (the newest) last."""
    scratch.mkdir(parents=True, exist_ok=True)
    return exports_as_of(newest, MONTH_ENDS, scratch)


def prepare_history(root: Path, scale: float) -> list[Path]:
    """The demo drop without registrations, and the twelve month-end exports beside it."""
    data_raw = root / "data_raw"
    generate_all(data_raw, scale=scale, seed=42, defect_rate=0.01, as_of=NEWEST)
    registrations = data_raw / "registrations"
    newest = shutil.move(registrations / f"registrations_{NEWEST:%Y%m%d}.csv", root / "newest.csv")
    for older in registrations.iterdir():  # small scales also write a 2024 snapshot
        older.unlink()
    return monthly_snapshots(Path(newest), root / "snapshots")


def measure_history(scale: float, scratch: Path) -> dict:
    root = scratch / f"history_{scale:g}"
    data_raw = root / "data_raw"
    registrations = data_raw / "registrations"
    started = time.perf_counter()
    snapshots = in_child(prepare_history, root, scale)  # the bench process stays small
    generation = time.perf_counter() - started

    shutil.copy(snapshots[-1], registrations)
    first = _measured(data_raw, root / "one")
    rerun = _measured(data_raw, root / "one")
    (registrations / snapshots[-1].name).unlink()
    for snapshot in snapshots[:-1]:
        shutil.copy(snapshot, registrations)
    eleven = _measured(data_raw, root / "twelve")
    shutil.copy(snapshots[-1], registrations)
    twelfth = _measured(data_raw, root / "twelve")
    shutil.rmtree(root, ignore_errors=True)
    return {
        "scale": scale,
        "generation_seconds_not_counted": round(generation, 1),
        "first_run": first,
        "rerun_unchanged": rerun,
        "eleven_snapshots_first_run": eleven,
        "twelfth_snapshot_night": twelfth,
    }


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


NOT_MEASURED = "not measured"  # a figure the results hold as null (see the run's notes)


def history_rows(history: list[dict]) -> list[str]:
    """The scenario's table: one row per scale, the goals' ratios beside the measurements."""
    lines = [
        "| scale | run | wall (s) | peak RSS (MB) | published (MB) | exit |",
        "|---|---|---|---|---|---|",
    ]
    verdicts = []
    for result in history:
        for label, key in (
            ("first run, one snapshot", "first_run"),
            ("rerun, nothing changed", "rerun_unchanged"),
            ("first run, 11 snapshots (preparation)", "eleven_snapshots_first_run"),
            ("night of the 12th snapshot", "twelfth_snapshot_night"),
        ):
            run = result[key]
            rss = NOT_MEASURED if run["peak_rss_mb"] is None else run["peak_rss_mb"]
            lines.append(
                f"| {result['scale']:g} | {label} | {run['wall_seconds']} | {rss} "
                f"| {run['published_mb']} | {run['exit_code']} |"
            )
        first, rerun, twelfth = (
            result[k] for k in ("first_run", "rerun_unchanged", "twelfth_snapshot_night")
        )
        ratios = {
            "rerun ÷ first run (wall)": (
                _ratio(rerun["wall_seconds"], first["wall_seconds"]),
                GOALS["rerun"],
            ),
            "12th night ÷ first run (wall)": (
                _ratio(twelfth["wall_seconds"], first["wall_seconds"]),
                GOALS["twelfth_wall"],
            ),
            "12th night ÷ first run (peak RSS)": (
                _ratio(twelfth["peak_rss_mb"], first["peak_rss_mb"]),
                GOALS["twelfth_rss"],
            ),
            "published, 12 ÷ 1 snapshots": (
                _ratio(twelfth["published_mb"], first["published_mb"]),
                GOALS["size"],
            ),
        }
        for name, (value, goal) in ratios.items():
            met = "✅ met" if value is not None and value <= goal else "❌ not met"
            if value is None:
                value, met = NOT_MEASURED, NOT_MEASURED
            verdicts.append(f"| {result['scale']:g} | {name} | ≤ {goal} | {value} | {met} |")
    return [
        *lines,
        "",
        "| scale | goal | target | measured | verdict |",
        "|---|---|---|---|---|",
        *verdicts,
        "",
        "| scale | run | slowest stages (s) | largest published tables (rows) |",
        "|---|---|---|---|",
        *where_it_goes(history),
    ]


def _top(values: dict, n: int, fmt) -> str:
    ranked = sorted(values.items(), key=lambda item: -item[1])[:n]
    return ", ".join(f"{name} {fmt(value)}" for name, value in ranked) or "—"


def where_it_goes(history: list[dict]) -> list[str]:
    """Per run: the four slowest stages and the three largest tables, for the goals' why."""
    rows = []
    for result in history:
        for label, key in (
            ("first run", "first_run"),
            ("rerun", "rerun_unchanged"),
            ("12th night", "twelfth_snapshot_night"),
        ):
            run = result[key]
            stages = _top(run.get("stages", {}), 4, lambda v: f"{v:.1f}")
            tables = _top(run.get("largest_tables", {}), 3, lambda v: f"{v:,}")
            rows.append(f"| {result['scale']:g} | {label} | {stages} | {tables} |")
    return rows
