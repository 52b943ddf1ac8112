"""Where a run's Dagster log goes: all of it to a file, only what an operator must act on to
the console.

Dagster's default console logger prints the whole event stream, stack traces included, on
stderr, before `greentrack run` has said what failed. Every run, whatever starts it, instead
writes the full stream to `<warehouse-dir>/logs/<run_id>.log`; the console gets one line per
warning our own code logged (a changed pseudonym key, a missing font). Errors are not repeated
there: Dagster logs one per skipped step, and the run's summary (pipelines/runner.py) says
what failed, in one place, with the path of the log file. A log file that cannot be written
(a full disk) never fails the run: the events are still in Dagster's own event log.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import dagster as dg

from pipelines import project

RUN_LOGS_DIR_NAME = "logs"
FILE_FORMAT = "%(asctime)s - %(levelname)s - %(message)s"
METADATA_ATTR = "dagster_meta"  # where Dagster's log manager puts a record's run metadata


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
        text = str(meta.get("orig_message") or record.getMessage()).strip().splitlines()
        step = meta.get("step_key")
        where = f" ({step})" if step else ""
        line = f"greentrack {record.levelname}{where}: {text[0] if text else ''}"
        try:
            print(line, file=sys.stderr)
        except (OSError, ValueError):
            pass


@dg.logger(
    description="The whole event stream to <warehouse-dir>/logs/<run_id>.log; "
    "warnings logged by assets, one line each, to the console.",
)
def greentrack_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("greentrack.run", level=logging.DEBUG)
    logger.addHandler(RunFileHandler(run_log_file(init_context.run_id or "no-run-id")))
    logger.addHandler(ConsoleHandler(logging.WARNING))
    return logger


RUN_LOGGERS = {"console": greentrack_logger}
# Dagster starts a job's logger only when the run config names it (otherwise it falls back to
# its own console logger), so every job's run config carries this.
RUN_LOGGER_CONFIG = {"loggers": {"console": {"config": {}}}}
