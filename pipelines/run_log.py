"""The run log: one JSON line per `greentrack run`, published or not, beside the warehouse.

Failed runs never publish, so their record cannot live only inside the warehouse; the log
is the source of `audit.runs` (loaded into every newly published warehouse) and of the
alert line the on-call engineer reads at 2 a.m.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipelines import project

RUN_LOG_NAME = "runs.jsonl"


def run_log_path() -> Path:
    return project.warehouse_dir() / RUN_LOG_NAME


def append_run(record: dict) -> None:
    path = run_log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False, default=str, sort_keys=True) + "\n")


def read_runs() -> list[dict]:
    path = run_log_path()
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut short by a crash: the rest of the log still counts
    return records
