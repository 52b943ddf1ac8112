"""Measurements for `make bench`: a whole run in a child process, and stage-level probes.

A run is measured as a child process (wall time, peak RSS, the run log's per-step seconds).
Linux starts a child's maximum RSS at the RSS its parent had when it forked (exec records the
forked copy's high-water mark), so wait4 can only be trusted when the bench process itself is
small: data generation runs in its own process (`in_child`), and a wait4 peak no higher than
the bench's own RSS at the fork is replaced by the child's sampled VmHWM, which belongs to the
child's own address space. Probes compare one stage with what a user could pick instead, in the same
process and on the same files: our registrations ingest against DuckDB's own CSV reader.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb

from assets.ingest.code_sets import load_code_sets
from assets.ingest.csv_slices import record_slices
from assets.ingest.source_run import ingest_csv_file
from assets.ingest.store import discard_spools, write_loaded
from assets.ingest.text_files import gb18030_to_utf8
from assets.reference.code_tables import CODE_TABLES, read_code_table
from assets.registrations.records import registration_format, registration_rules
from pipelines import project
from pipelines.warehouse import ensure_schemas, replace_table


def memory_mb(pid: int | str) -> dict[str, float]:
    """The Vm* lines of /proc/<pid>/status (VmRSS, VmHWM, ...) in MB; empty once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return {
                line.split(":")[0]: int(line.split()[1]) / 1024
                for line in status
                if line.startswith("Vm")
            }
    except OSError:
        return {}


def in_child(function, *args, **kwargs):
    """function(*args, **kwargs) in a fresh (spawned) process: what it allocates never swells
    the bench process, whose RSS would otherwise become the floor of every measured peak."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args, **kwargs).result()


def child_peak_mb(wait4_peak: float, parent_at_fork: float, sampled_hwm: float | None) -> float:
    """The child's peak RSS: wait4's, unless it does not exceed the parent's RSS at the fork
    (then it may be the parent's, inherited), in which case the child's own sampled VmHWM."""
    if wait4_peak > parent_at_fork or sampled_hwm is None:
        return wait4_peak
    return sampled_hwm


def sample_rss(
    pid: int, samples: list, stop: threading.Event, every: float = 0.1, hwm: list | None = None
) -> None:
    """Append (Unix time, RSS MB) of process `pid` every `every` s until `stop` is set; the
    last VmHWM read goes to hwm[0]."""
    while not stop.is_set():
        memory = memory_mb(pid)
        if "VmRSS" in memory:
            samples.append((time.time(), memory["VmRSS"]))
        if hwm is not None and "VmHWM" in memory:
            hwm[:] = [memory["VmHWM"]]
        stop.wait(every)


def peak_by_step(samples: list[tuple[float, float]], windows: dict) -> dict[str, float]:
    """The highest sampled RSS (MB) inside each step's [start, end] window; steps without a
    sample (shorter than the sampling interval) are left out."""
    peaks = {}
    for step, (start, end) in windows.items():
        inside = [rss for at, rss in samples if start <= at <= end]
        if inside:
            peaks[step] = round(max(inside), 1)
    return peaks


def run_pipeline_child(data_raw: Path, workdir: Path) -> dict:
    """`greentrack run` as a child process: exit code, wall seconds, peak RSS, step seconds,
    and each step's peak RSS, sampled every 0.1 s (the overall peak comes from wait4, which
    sees spikes between samples too, unless child_peak_mb must fall back to VmHWM)."""
    env = os.environ | {
        "GREENTRACK_DATA_RAW": str(data_raw),
        "GREENTRACK_WAREHOUSE_DIR": str(workdir / "warehouse"),
        "GREENTRACK_DASHBOARDS_DIR": str(workdir / "site"),
    }
    parent_at_fork = memory_mb("self").get("VmRSS", 0.0)
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    samples: list[tuple[float, float]] = []
    hwm: list[float] = []
    stop = threading.Event()
    sampler = threading.Thread(
        target=sample_rss, args=(child.pid, samples, stop), kwargs={"hwm": hwm}, daemon=True
    )
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    log = (workdir / "warehouse" / "runs.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(log[-1]) if log else {}
    return {
        "exit_code": os.waitstatus_to_exitcode(status),
        "wall_seconds": round(wall, 2),
        "peak_rss_mb": round(
            child_peak_mb(usage.ru_maxrss / 1024, parent_at_fork, hwm[0] if hwm else None), 1
        ),  # ru_maxrss: kilobytes on Linux
        "step_seconds": record.get("step_seconds", {}),
        "step_peak_rss_mb": peak_by_step(samples, record.get("step_windows", {})),
    }


def _codes() -> dict:
    con = duckdb.connect()
    ensure_schemas(con)
    for name in CODE_TABLES:
        replace_table(con, f"reference.{name}", read_code_table(project.REFERENCE_DIR, name))
    return load_code_sets(con)


# The probe's own DuckDB (in memory, like a user's quick load) may use this much before it
# spills to the scratch folder: far above what scales 1–10 need (nothing spills there), while
# scale 100's two 50 M-row tables spill instead of exhausting the machine's memory.
PROBE_DUCKDB_MEMORY = "12GB"
REENCODE_BYTES = 256 * 1024 * 1024  # GB18030 read and decoded this much at a time
HMAC_BATCH_ROWS = 5_000_000


def _hmac_seconds(con: duckdb.DuckDBPyConnection) -> float:
    """HMAC-SHA256 of the plate and VIN columns of the baseline table, as ingest computes it,
    timed over batches of HMAC_BATCH_ROWS rows (one frame of 50 M would not fit beside the
    tables)."""
    from assets.ingest.pseudonym import pseudonymise
    from pipelines.warehouse import fetch_frame

    ((end,),) = con.execute("select coalesce(max(rowid), -1) + 1 from baseline").fetchall()
    seconds = 0.0
    for start in range(0, end, HMAC_BATCH_ROWS):
        frame = fetch_frame(
            con,
            'select "号牌号码" as plate, "车辆识别代号" as vin from baseline '
            "where rowid >= ? and rowid < ?",
            [start, start + HMAC_BATCH_ROWS],
        )
        started = time.perf_counter()
        pseudonymise(frame, ["plate", "vin"], b"bench-key")
        seconds += time.perf_counter() - started
    return seconds


def reencode_to_utf8(source: Path, target: Path) -> float:
    """Write the GB18030 file `source` as UTF-8 to `target`, in the sliced ingest's pieces
    of whole records (`csv_slices.record_slices`, about REENCODE_BYTES each); returns the
    seconds spent decoding and encoding."""
    seconds = 0.0
    with open(target, "wb") as writer:
        for data in record_slices(source, REENCODE_BYTES):
            tick = time.perf_counter()
            utf8 = gb18030_to_utf8(data)
            seconds += time.perf_counter() - tick
            writer.write(utf8)
    return seconds


def registrations_probe(data_raw: Path) -> dict:
    """Our ingest of the registrations files (decode → rules → hash → table) against DuckDB
    `read_csv(all_varchar=true)` into a table of the same files re-encoded to UTF-8."""
    import datetime as dt

    paths = sorted((data_raw / "registrations").glob("registrations_*.csv"))
    codes, fmt = _codes(), registration_format()
    rules = registration_rules(codes)
    spill = data_raw.parent / "probe-spill"
    con = duckdb.connect(config={"memory_limit": PROBE_DUCKDB_MEMORY, "temp_directory": str(spill)})
    # a sliced ingest spools its rows beside the warehouse: keep them in the data's scratch
    os.environ["GREENTRACK_WAREHOUSE_DIR"] = str(data_raw.parent / "probe-warehouse")
    started = time.perf_counter()
    for path in paths:
        outcome = ingest_csv_file(path, data_raw, fmt, rules, b"bench-key", dt.datetime(2026, 1, 1))
        write_loaded(con, "ours", outcome.loaded[fmt.table])
        discard_spools([outcome])
    ours = time.perf_counter() - started
    decode = 0.0
    with tempfile.TemporaryDirectory() as scratch:
        utf8_paths = []
        for path in paths:
            target = Path(scratch) / path.name
            decode += reencode_to_utf8(path, target)
            utf8_paths.append(str(target))
        started = time.perf_counter()
        con.execute(
            "create or replace table baseline as select * from read_csv(?, all_varchar = true)",
            [utf8_paths],
        )
        baseline = time.perf_counter() - started
    hmac_seconds = _hmac_seconds(con)
    rows = con.execute("select count(*) from baseline").fetchall()[0][0]
    return {
        "files": len(paths),
        "rows": rows,
        "bytes": sum(p.stat().st_size for p in paths),
        "ours_seconds": round(ours, 3),
        "duckdb_read_csv_seconds": round(baseline, 3),
        "gb18030_decode_seconds": round(decode, 3),
        "ratio": round(ours / baseline, 2) if baseline else None,
        "hmac_seconds": round(hmac_seconds, 3),
        # What no implementation of the contract can avoid on this machine: read the files,
        # decode GB18030 in Python (no DuckDB encodings extension offline), and compute the
        # two HMAC-SHA256 pseudonyms per row (docs/sources.md). The best ratio ours could reach.
        "floor_ratio": round((baseline + decode + hmac_seconds) / baseline, 2)
        if baseline
        else None,
    }


def registrations_probe_child(data_raw: Path) -> dict:
    """The probe in its own process: at scale 100 it holds several GB, and if the kernel
    kills it for memory the benchmark records that instead of dying with it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:  # a killed worker raises
        try:
            return pool.submit(registrations_probe, data_raw).result()
        except Exception as error:  # noqa: BLE001 - recorded in the results instead
            return {"error": f"{type(error).__name__}: {error}"}
