"""The persistent Dagster instance every run is recorded on: `greentrack run`, the schedule,
the sensor and the UI share its run history, schedule ticks and sensor cursors.

Its home is `<warehouse-dir>/.dagster` unless `DAGSTER_HOME` names another; a `dagster.yaml`
is written there when none exists (an operator's own file is never overwritten). Storage is
SQLite inside the home. The run queue starts at most one run at a time: every job of this code
location writes the warehouse, and DuckDB allows one writer.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipelines import project

HOME_ENV = "DAGSTER_HOME"
HOME_DIR_NAME = ".dagster"
INSTANCE_FILE = "dagster.yaml"
TRIGGER_TAG = "greentrack/trigger"

DAGSTER_YAML = """\
# greentrack's Dagster instance (written by greentrack; edit freely, it is never overwritten).
# Storage: SQLite under this directory (Dagster's default). For PostgreSQL see docs/deploy.md.
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
concurrency:
  runs:
    # every job writes the warehouse: one run at a time, the others wait in the queue
    max_concurrent_runs: 1
  pools:
    # the assets' pool "warehouse": at most one run holding it
    default_limit: 1
    granularity: run
run_monitoring:
  enabled: true
telemetry:
  enabled: false
"""


def dagster_home() -> Path:
    """DAGSTER_HOME when set, else `<warehouse-dir>/.dagster`."""
    named = os.environ.get(HOME_ENV)
    return Path(named).expanduser().resolve() if named else project.warehouse_dir() / HOME_DIR_NAME


def ensure_home() -> Path:
    """The instance home with its dagster.yaml (written only when absent)."""
    home = dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    config = home / INSTANCE_FILE
    if not config.exists():
        tmp = config.with_name(config.name + ".tmp")
        tmp.write_text(DAGSTER_YAML, encoding="utf-8")
        os.replace(tmp, config)
    return home


_opened: dict[Path, dg.DagsterInstance] = {}


def open_instance() -> dg.DagsterInstance:
    """The persistent instance (creating its home and storage on first use), opened once per
    home and process: opening checks the storage's schema, which takes seconds."""
    home = ensure_home()
    if home not in _opened:
        _opened[home] = dg.DagsterInstance.from_config(str(home))
    return _opened[home]
