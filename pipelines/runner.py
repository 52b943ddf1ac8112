"""`greentrack run`: build every asset into a work file, check it, publish atomically.

Exit codes (interface.md): 0 published and every file accepted; 3 published but some files
were rejected; 1 nothing published (a blocking check failed or the run crashed; the
published warehouse is untouched); 2 usage error (handled by the CLI).
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from assets.publish.atomic import remove_stale_work
from assets.quality.summary import quality_summary
from pipelines import project
from pipelines.alerts import send_failure_alert
from pipelines.definitions import all_asset_checks, all_assets
from pipelines.resources import warehouse_resource
from pipelines.run_log import append_run
from pipelines.run_summary import gap_table, rejected_files, source_summary

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3
LOCK_NAME = ".greentrack.lock"


class RunLocked(RuntimeError):
    pass


@contextmanager
def run_lock(warehouse_dir: Path):
    """One run at a time per warehouse directory (the work file has one writer)."""
    handle = open(warehouse_dir / LOCK_NAME, "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        handle.close()
        raise RunLocked(f"another greentrack run holds {warehouse_dir / LOCK_NAME}") from error
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _is_check_failure(error) -> bool:
    while error is not None:
        if "DagsterAssetCheckFailedError" in (error.cls_name or ""):
            return True
        error = error.cause
    return False


def _failure_lines(result: dg.ExecuteInProcessResult) -> list[str]:
    lines = []
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            if _is_check_failure(error):
                continue  # Dagster reports a failed blocking check twice; keep the evaluation
            while error is not None and error.cause is not None:
                error = error.cause  # the user code's own exception, not Dagster's wrapper
            message = error.message.strip() if error else "unknown error"
            lines.append(f"asset {event.step_key} failed: {message}")
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
                key = evaluation.asset_key.to_user_string()
                detail = evaluation.metadata.get("summary")
                text = detail.value if detail is not None else ""
                lines.append(f"blocking check {key}:{evaluation.check_name} failed {text}")
    return lines


def step_windows(instance: dg.DagsterInstance, run_id: str) -> dict[str, list[float]]:
    """[start, end] (Unix seconds) of each step (asset or check), as Dagster recorded them."""
    return {
        stats.step_key: [round(stats.start_time, 3), round(stats.end_time, 3)]
        for stats in instance.get_run_step_stats(run_id)
        if stats.start_time and stats.end_time
    }


def step_seconds(windows: dict[str, list[float]]) -> dict[str, float]:
    """Wall seconds per step."""
    return {step: round(end - start, 3) for step, (start, end) in windows.items()}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _prepare_warehouse_dir(warehouse_dir: Path) -> None:
    try:
        warehouse_dir.mkdir(parents=True, exist_ok=True)
        probe = warehouse_dir / ".write-probe"
        probe.write_text("ok")
        probe.unlink()
    except PermissionError as error:
        raise OSError(
            errno.EACCES, f"warehouse directory {warehouse_dir} is not writable"
        ) from error


def _fail(record: dict, lines: list[str], err) -> int:
    print(
        "greentrack run FAILED: nothing was published; the published warehouse is untouched.",
        file=err,
    )
    for line in lines:
        print(f"  {line}", file=err)
    record.update(
        status="failed",
        exit_code=EXIT_FAILED,
        published=False,
        ended_at=_now(),
        message="; ".join(lines)[:4000],
    )
    try:
        append_run(record)
        send_failure_alert(record)
    except OSError as error:
        print(f"  (could not record the failure: {error})", file=err)
    return EXIT_FAILED


def _print_work_summary(work: Path, err) -> None:
    """What the failed run had loaded. The failure itself must be reported even when the
    work file cannot be read, so a refusal here is one more line, not a traceback."""
    try:
        with duckdb.connect(str(work), read_only=True) as con:
            print(source_summary(con), file=err)
            print(quality_summary(con), file=err)
    except duckdb.Error as error:
        print(f"(could not read the work file {work} for a summary: {error})", file=err)


def run_pipeline(out=None, err=None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    warehouse_dir = project.warehouse_dir()
    published, work = project.published_warehouse_path(), project.work_warehouse_path()
    record = {"run_id": None, "started_at": _now(), "published": False}
    started = time.perf_counter()
    try:
        _prepare_warehouse_dir(warehouse_dir)
        with run_lock(warehouse_dir):
            for path in remove_stale_work(work):
                print(f"removed stale work file {path}", file=out)
            instance = dg.DagsterInstance.ephemeral()
            result = dg.materialize(
                [*all_assets(), *all_asset_checks()],
                resources={"duckdb": warehouse_resource(str(work))},
                raise_on_error=False,
                instance=instance,
            )
    except RunLocked as error:
        print(f"greentrack run: {error}", file=err)
        return EXIT_FAILED
    except OSError as error:
        reason = "disk full" if error.errno == errno.ENOSPC else error.strerror or str(error)
        return _fail(record, [f"{reason}: {error}"], err)
    record["run_id"] = result.run_id
    windows = step_windows(instance, result.run_id)
    record["step_seconds"] = step_seconds(windows)
    record["step_windows"] = windows  # lets `make bench` tell which step used the memory
    seconds = time.perf_counter() - started
    publish_done = any(
        event.is_step_success and event.step_key.startswith("published")
        for event in result.all_events
    )
    if not result.success or not publish_done:
        lines = _failure_lines(result) or ["no step failure recorded, but nothing was published"]
        if work.exists() and work.is_file():
            _print_work_summary(work, err)
        return _fail(record, lines, err)
    remove_stale_work(work)  # nothing may write the work file after publication; belt and braces
    with duckdb.connect(str(published), read_only=True) as con:
        metric_hash = con.execute(
            "select metric_hash from audit.runs where run_id = ?", [result.run_id]
        ).fetchone()[0]
        print(f"\nPublished {published} in {seconds:.1f} s\n", file=out)
        print("Sources\n" + source_summary(con), file=out)
        print("\nTarget gap\n" + gap_table(con), file=out)
        print("\n" + quality_summary(con), file=out)
    rejected = rejected_files(published)
    code = EXIT_REJECTED if rejected else EXIT_OK
    record.update(
        status="published", exit_code=code, published=True, ended_at=_now(), metric_hash=metric_hash
    )
    append_run(record)
    if rejected:
        print("\nSome files were rejected (see above); exit 3.", file=out)
    return code
