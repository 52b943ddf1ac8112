"""The run log: one JSON line per `greentrack run`, published or not, beside the warehouse.

Failed runs never publish, so their record cannot live only inside the warehouse; the log
is the source of `audit.runs` (loaded into every newly published warehouse) and of the
alert line the on-call engineer reads at 2 a.m. Lines are written whole or not at all
(`pipelines/records.py`).
"""

from __future__ import annotations

from pathlib import Path

from pipelines import project
from pipelines.records import append_record, read_records

RUN_LOG_NAME = "runs.jsonl"


def run_log_path() -> Path:
    return project.warehouse_dir() / RUN_LOG_NAME


def append_run(record: dict) -> None:
    append_record(run_log_path(), record)


def read_runs() -> list[dict]:
    """Every readable record, oldest first; a damaged line (cut by a crash) is skipped."""
    return read_records(run_log_path())[0]


def damaged_run_lines() -> list[int]:
    """Line numbers of the run log that hold no run record."""
    return read_records(run_log_path())[1]
