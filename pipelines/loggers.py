"""Where a run's Dagster log goes: all of it to a file, only what an operator must act on to
the console, and one progress line per finished step (pipelines/progress.py) on stdout.

Dagster's default console logger prints the whole event stream, stack traces included, on
stderr, before `greentrack run` has said what failed. Every run, whatever starts it, instead
writes the full stream to `<warehouse-dir>/logs/<run_id>.log`; the console gets one line per
warning our own code logged (a changed pseudonym key, a missing font), except a failed Great
Expectations suite's: the run's summary lists every failed suite in its Quality section, one
line each (assets/quality/summary.py), so the console would say it twice. Errors are not
repeated there: Dagster logs one per skipped step, and the run's summary (pipelines/runner.py) says
what failed, in one place, with the path of the log file. A log file that cannot be written
(a full disk) never fails the run: the events are still in Dagster's own event log.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import dagster as dg

from pipelines import project
from pipelines.progress import MODES, StepProgress, inside_step_line, local_time

RUN_LOGS_DIR_NAME = "logs"
FILE_FORMAT = "%(asctime)s - %(levelname)s - %(message)s"
METADATA_ATTR = "dagster_meta"  # where Dagster's log manager puts a record's run metadata
# the name of every Great Expectations suite check (assets/quality/checks.py); its step key is
# `<asset key>_<name>`
SUITE_CHECK_NAME = "gx_suite"


def run_log_file(run_id: str) -> Path:
    return project.warehouse_dir() / RUN_LOGS_DIR_NAME / f"{run_id}.log"


class RunFileHandler(logging.Handler):
    """Appends each record to the run's log file, opening it per record so no descriptor
    outlives the run; a record that cannot be written is dropped without a word (the
    logging module would otherwise print a traceback on the console)."""

    def __init__(self, path: Path):
        super().__init__(logging.DEBUG)
        self.path = path
        self.setFormatter(logging.Formatter(FILE_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record) + "\n"
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(text)
        except Exception:  # noqa: BLE001 - a log line must never fail the run
            pass


def is_user_message(record: logging.LogRecord) -> bool:
    """Logged by an asset (`context.log.warning(...)`), not one of Dagster's own events (a
    step failure, whose stack trace belongs in the file)."""
    meta = getattr(record, METADATA_ATTR, None)
    return isinstance(meta, dict) and meta.get("dagster_event") is None


class ConsoleHandler(logging.Handler):
    """One line per warning logged by an asset, on the current stderr (looked up per record,
    so a caller that redirects stderr sees it)."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno != logging.WARNING or not is_user_message(record):
            return
        meta = getattr(record, METADATA_ATTR)
        step = meta.get("step_key")
        if step and step.endswith(f"_{SUITE_CHECK_NAME}"):
            return  # in the summary's Quality section
        text = str(meta.get("orig_message") or record.getMessage()).strip().splitlines()
        where = f" ({step})" if step else ""
        line = f"greentrack {record.levelname}{where}: {text[0] if text else ''}"
        try:
            print(line, file=sys.stderr)
        except (OSError, ValueError):
            pass


class ProgressHandler(logging.Handler):
    """One line per finished step on the current stdout, and the progress lines a long step
    logs (pipelines/progress.py `inside_step`); in verbose mode every event message of INFO or
    above too, with the local time."""

    def __init__(self, total: int | None, verbose: bool):
        super().__init__(logging.DEBUG)
        self.progress = StepProgress(total)
        self.verbose = verbose

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, METADATA_ATTR, None)
        if not isinstance(meta, dict):
            return
        lines = []
        event = meta.get("dagster_event")
        inside = event is None and inside_step_line(str(meta.get("orig_message") or ""))
        if inside:
            lines.append(inside)
        elif self.verbose and record.levelno >= logging.INFO:
            text = str(meta.get("orig_message") or record.getMessage()).strip().splitlines()
            step = f" {meta['step_key']}" if meta.get("step_key") else ""
            lines.append(f"{local_time(record.created)} {record.levelname}{step}: {text[0]}")
        if event is not None:
            line = self.progress.on_event(event, record.created)
            if line:
                lines.append(line)
        try:
            for line in lines:
                print(line, file=sys.stdout, flush=True)
        except (OSError, ValueError, IndexError):
            pass


def _step_count(job_def) -> int | None:
    try:
        return len(job_def.graph.nodes) if job_def is not None else None
    except Exception:  # noqa: BLE001 - the count only decorates the progress line
        return None


@dg.logger(
    config_schema={
        "progress": dg.Field(
            str,
            default_value="steps",
            description="quiet: no progress lines; steps: one per finished step; "
            "verbose: every event message too",
        )
    },
    description="The whole event stream to <warehouse-dir>/logs/<run_id>.log; "
    "warnings logged by assets, one line each, to the console; one line per finished step.",
)
def greentrack_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("greentrack.run", level=logging.DEBUG)
    logger.addHandler(RunFileHandler(run_log_file(init_context.run_id or "no-run-id")))
    logger.addHandler(ConsoleHandler(logging.WARNING))
    mode = (init_context.logger_config or {}).get("progress", "steps")
    if mode != "quiet":
        total = _step_count(init_context.job_def)
        logger.addHandler(ProgressHandler(total, verbose=mode == "verbose"))
    return logger


RUN_LOGGERS = {"console": greentrack_logger}
# Dagster starts a job's logger only when the run config names it (otherwise it falls back to
# its own console logger), so every job's run config carries this.
RUN_LOGGER_CONFIG = {"loggers": {"console": {"config": {}}}}


def run_logger_config(progress: str = "steps") -> dict:
    """RUN_LOGGER_CONFIG with a progress mode (quiet, steps, verbose)."""
    if progress not in MODES:
        raise ValueError(f"progress must be one of {MODES}, not {progress!r}")
    return {"loggers": {"console": {"config": {"progress": progress}}}}
