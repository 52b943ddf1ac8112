"""The persistent Dagster instance every run is recorded on: `greentrack run`, the schedule,
the sensor and the UI share its run history, schedule ticks and sensor cursors.

Its home is `<warehouse-dir>/.dagster` unless `DAGSTER_HOME` names another; a `dagster.yaml`
is written there when none exists (an operator's own file is never overwritten). Storage is
SQLite inside the home, or PostgreSQL when `GREENTRACK_DAGSTER_POSTGRES_URL` is set: the file
then refers to that variable (Dagster reads it at start), so the password stays in the service's
environment file and is never written next to the instance. The run queue starts at most one
run at a time: every job of this code location writes the warehouse, and DuckDB allows one
writer.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dagster as dg

from pipelines import project

HOME_ENV = "DAGSTER_HOME"
HOME_DIR_NAME = ".dagster"
INSTANCE_FILE = "dagster.yaml"
TRIGGER_TAG = "greentrack/trigger"
# A run carrying this tag with value "1" ingests every file again (`greentrack run --full`;
# in the UI: "Materialize all" with the tag added in the launchpad).
FULL_TAG = "greentrack/full"

POSTGRES_URL_ENV = "GREENTRACK_DAGSTER_POSTGRES_URL"
# SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3; the lock has dagster-postgres's psycopg2
POSTGRES_SCHEME = "postgresql+psycopg2://"

HEADER = """\
# greentrack's Dagster instance (written by greentrack; edit freely, it is never overwritten).
"""
SQLITE_STORAGE = """\
# Storage: SQLite under this directory (Dagster's default). For PostgreSQL see docs/deploy.md.
"""
POSTGRES_STORAGE = f"""\
# Storage: PostgreSQL at the URL in ${POSTGRES_URL_ENV}, read when Dagster starts.
storage:
  postgres:
    postgres_url:
      env: {POSTGRES_URL_ENV}
"""
QUEUE_AND_TELEMETRY = """\
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


def instance_yaml(*, postgres: bool) -> str:
    """The dagster.yaml greentrack writes: PostgreSQL storage by reference to the environment
    variable, or SQLite; the run queue and telemetry are the same for both."""
    storage = POSTGRES_STORAGE if postgres else SQLITE_STORAGE
    return HEADER + storage + QUEUE_AND_TELEMETRY


def dagster_home() -> Path:
    """DAGSTER_HOME when set, else `<warehouse-dir>/.dagster`."""
    named = os.environ.get(HOME_ENV)
    return Path(named).expanduser().resolve() if named else project.warehouse_dir() / HOME_DIR_NAME


def ensure_home() -> Path:
    """The instance home with its dagster.yaml (written only when absent)."""
    home = dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    config = home / INSTANCE_FILE
    url = os.environ.get(POSTGRES_URL_ENV, "")
    postgres = bool(url)
    if postgres and not url.startswith(POSTGRES_SCHEME):
        print(
            f"greentrack: {POSTGRES_URL_ENV} should start with {POSTGRES_SCHEME} (the driver"
            " greentrack installs); Dagster will fail to open the storage otherwise",
            file=sys.stderr,
        )
    if not config.exists():
        tmp = config.with_name(config.name + ".tmp")
        tmp.write_text(instance_yaml(postgres=postgres), encoding="utf-8")
        os.replace(tmp, config)
    elif postgres and POSTGRES_URL_ENV not in config.read_text(encoding="utf-8"):
        print(
            f"greentrack: {POSTGRES_URL_ENV} is set but {config} does not use it: the instance"
            " keeps the storage that file names (remove the file to have greentrack write a"
            " PostgreSQL one, see docs/deploy.md)",
            file=sys.stderr,
        )
    return home


_opened: dict[Path, dg.DagsterInstance] = {}


def open_instance() -> dg.DagsterInstance:
    """The persistent instance (creating its home and storage on first use), opened once per
    home and process: opening checks the storage's schema, which takes seconds."""
    home = ensure_home()
    if home not in _opened:
        _opened[home] = dg.DagsterInstance.from_config(str(home))
    return _opened[home]
