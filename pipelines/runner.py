"""`greentrack run`: build every asset into a work file, check it, publish atomically.

Exit codes (docs/interface.md): 0 published and every file accepted; 3 published but some files
were rejected; 1 nothing published (a blocking check failed or the run crashed; the
published warehouse is untouched); 2 usage error (handled by the CLI).
"""

from __future__ import annotations

import datetime as dt
import errno
import sys
import time
import uuid
from pathlib import Path

import dagster as dg
import duckdb

from assets.publish.assets import site_work_dir
from assets.publish.atomic import discard_work, remove_stale_work
from assets.publish.key_fingerprint import key_fingerprint
from assets.quality.summary import quality_summary
from pipelines import project
from pipelines.alerts import send_failure_alert
from pipelines.definitions import all_asset_checks, all_assets
from pipelines.instance import FULL_TAG, TRIGGER_TAG, open_instance
from pipelines.loggers import RUN_LOGGERS, run_log_file, run_logger_config
from pipelines.progress import local_time
from pipelines.records import keep_reserve, release_reserve
from pipelines.resources import warehouse_resource
from pipelines.run_lock import RunLocked, run_lock
from pipelines.run_log import append_run
from pipelines.run_summary import gap_table, rejected_files, source_summary
from pipelines.schedules import nightly_job

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3
RUN_JOB_NAME = nightly_job.name  # the UI lists CLI runs beside the schedule's
CLI_TAGS = {TRIGGER_TAG: "cli"}
PUBLISH_OP = dg.AssetKey(["published", "green_transport"]).to_python_identifier()


def _is_check_failure(error) -> bool:
    while error is not None:
        if "DagsterAssetCheckFailedError" in (error.cls_name or ""):
            return True
        error = error.cause
    return False


def _root_error(error):
    """The first exception of the user code under Dagster's wrappers (not the deepest cause:
    our own errors are raised `from` the OSError they explain, and say more than it)."""
    while error is not None and error.cause is not None and error.cls_name.startswith("Dagster"):
        error = error.cause
    return error


def _error_text(error) -> str:
    """The exception's message; our own exceptions are written for people, so without the
    `module.Class: ` prefix Dagster puts before every message."""
    if error is None:
        return "unknown error"
    message = error.message.strip()
    prefix, _, rest = message.partition(": ")
    ours = prefix.startswith(("assets.", "pipelines.")) and prefix.endswith(f".{error.cls_name}")
    return rest.strip() if ours and rest else message


def _partial_publication(result: dg.ExecuteInProcessResult) -> str | None:
    """The message of a publication that could only be half made (assets/publish/atomic.py)."""
    for event in result.all_events:
        if event.is_step_failure:
            error = _root_error(event.step_failure_data.error)
            if error is not None and error.cls_name == "PartialPublication":
                return _error_text(error)
    return None


def _failure_lines(result: dg.ExecuteInProcessResult) -> list[str]:
    lines = []
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            if _is_check_failure(error):
                continue  # Dagster reports a failed blocking check twice; keep the evaluation
            lines.append(f"asset {event.step_key} failed: {_error_text(_root_error(error))}")
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
    probe = warehouse_dir / ".write-probe"
    try:
        warehouse_dir.mkdir(parents=True, exist_ok=True)
        keep_reserve(warehouse_dir)
        try:
            probe.write_text("ok")
        finally:
            probe.unlink(missing_ok=True)
    except PermissionError as error:
        raise OSError(
            errno.EACCES, f"warehouse directory {warehouse_dir} is not writable"
        ) from error


def _os_reason(error: OSError) -> str:
    reason = "disk full" if error.errno == errno.ENOSPC else error.strerror or str(error)
    return f"{reason}: {error}"


def _visible(path: Path) -> bool:
    """Whether `path` exists, False where the run may not even look (a closed directory)."""
    try:
        return path.exists()
    except OSError:
        return False


def _fail(record: dict, lines: list[str], err, work: Path | None = None, partial=None) -> int:
    """Say what failed (first, so it is seen whatever happens next), free the space the run's
    work took, then record the failure in runs.jsonl and alerts.log. On a full disk the freed
    space is what lets the record be written; if it still cannot be, stderr says so."""
    if partial:
        print(f"greentrack run FAILED: only part was published: {partial}", file=err)
    else:
        print(
            "greentrack run FAILED: nothing was published; the published warehouse is untouched.",
            file=err,
        )
    for line in lines:
        print(f"  {line}", file=err)
    log_file = run_log_file(record["run_id"])
    if _visible(log_file):
        print(f"  full log: {log_file}", file=err)
    if work is not None:
        for problem in discard_work(work, site_work_dir()):
            print(f"  ({problem})", file=err)
    release_reserve(project.warehouse_dir())
    record.update(
        status="failed",
        exit_code=EXIT_FAILED,
        published=False,
        ended_at=_now(),
        message="; ".join(([partial] if partial else []) + lines)[:4000],
    )
    for what, write in (("run log", append_run), ("alert", send_failure_alert)):
        try:
            write(record)
        except OSError as error:
            print(f"  (could not record the failure in the {what}: {error})", file=err)
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


def execute_run(
    run_id: str,
    instance: dg.DagsterInstance,
    allow_empty: bool,
    progress: str = "steps",
    full: bool = False,
) -> dg.ExecuteInProcessResult:
    """Every asset and check in this process, with the run's loggers (pipelines/loggers.py):
    what `dg.materialize` does, plus loggers, a run id known before the run starts and the
    trigger tag. The lock and the stale-work clean-up come with the warehouse resource, as
    for every other trigger (pipelines/resources.py)."""
    defs = dg.Definitions(
        assets=[*all_assets(), *all_asset_checks()],
        resources={"duckdb": warehouse_resource(str(project.work_warehouse_path()))},
        loggers=RUN_LOGGERS,
        jobs=[dg.define_asset_job(RUN_JOB_NAME)],
    )
    run_config = run_logger_config(progress)
    if allow_empty:
        run_config["ops"] = {PUBLISH_OP: {"config": {"allow_empty": True}}}
    return defs.resolve_job_def(RUN_JOB_NAME).execute_in_process(
        run_config=run_config,
        instance=instance,
        raise_on_error=False,
        run_id=run_id,
        tags=CLI_TAGS | ({FULL_TAG: "1"} if full else {}),
    )


def run_pipeline(
    out=None, err=None, allow_empty: bool = False, progress: str = "steps", full: bool = False
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    warehouse_dir = project.warehouse_dir()
    record = {
        "run_id": str(uuid.uuid4()),
        "started_at": _now(),
        "published": False,
        "key_fingerprint": key_fingerprint(project.pseudonym_key()[0]),
    }
    try:
        _prepare_warehouse_dir(warehouse_dir)
        with run_lock(warehouse_dir):
            return _locked_run(record, allow_empty, out, err, progress, full)
    except RunLocked as error:
        print(f"greentrack run: {error}", file=err)
        return EXIT_FAILED
    except OSError as error:
        return _fail(record, [_os_reason(error)], err)


def _locked_run(
    record: dict, allow_empty: bool, out, err, progress: str = "steps", full: bool = False
) -> int:
    """The run proper, under the lock: a failure's clean-up never races the next run."""
    published, work = project.published_warehouse_path(), project.work_warehouse_path()
    run_id = record["run_id"]
    started = time.perf_counter()
    try:
        for path in remove_stale_work(work):
            print(f"removed stale work file {path}", file=out)
        instance = open_instance()
        if progress != "quiet":
            print(f"greentrack run {run_id} started {local_time(time.time())}", file=out)
        result = execute_run(run_id, instance, allow_empty, progress, full)
    except OSError as error:
        return _fail(record, [_os_reason(error)], err, work=work)
    windows = step_windows(instance, run_id)
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
        return _fail(record, lines, err, work=work, partial=_partial_publication(result))
    remove_stale_work(work)  # nothing may write the work file after publication; belt and braces
    with duckdb.connect(str(published), read_only=True) as con:
        metric_hash, fingerprint, key_changed = con.execute(
            "select metric_hash, key_fingerprint, key_changed from audit.runs where run_id = ?",
            [run_id],
        ).fetchone()
        print(f"\nPublished {published} in {seconds:.1f} s\n", file=out)
        print("Sources\n" + source_summary(con), file=out)
        print("\nTarget gap\n" + gap_table(con), file=out)
        print("\n" + quality_summary(con), file=out)
    print(f"\nRun log: {run_log_file(run_id)}", file=out)
    rejected = rejected_files(published)
    code = EXIT_REJECTED if rejected else EXIT_OK
    record.update(
        status="published",
        exit_code=code,
        published=True,
        ended_at=_now(),
        metric_hash=metric_hash,
        key_fingerprint=fingerprint,
        key_changed=key_changed,
    )
    try:
        append_run(record)
    except OSError as error:
        print(f"(published, but could not record the run in the run log: {error})", file=err)
    if rejected:
        print("\nSome files were rejected (see above); exit 3.", file=out)
    return code
