"""The one warehouse resource. Every asset writes the run's work file, never the published one.

The resource is also where the run's guarantees live, so that every way of starting a run
(`greentrack run`, the schedule, the sensor, the UI, `dagster job launch`) gets them: before
the first step it takes the warehouse directory's one-writer lock (pipelines/run_lock.py) and,
on the project's work file, removes the work a crashed run left behind; it releases the lock
after the last step. The run record and the failure alert are written after the run by the
run-status sensors (pipelines/sensors.py); `audit.runs` by the publish asset.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

from assets.publish.atomic import remove_stale_work
from pipelines import project, run_lock
from pipelines.warehouse import STORAGE_COMPATIBILITY

LOCK_WAIT_SECONDS = 6 * 3600  # a queued run waits for a `greentrack run` cron run to finish


class WarehouseResource(DuckDBResource):
    """dagster-duckdb's resource, plus the run's lock, and a connection closed on failure.

    dagster-duckdb closes its connection after a clean `yield` only. When an asset fails, the
    connection lives on for as long as the failure's traceback does, and the runner's read-only
    look at the work file (to print what was loaded before the failure) is then refused with
    "Can't open a connection to same database file with a different configuration".
    """

    lock_wait_seconds: float = LOCK_WAIT_SECONDS
    _lock: Path | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if self.database == ":memory:":
            return
        database = Path(self.database)
        database.parent.mkdir(parents=True, exist_ok=True)
        self._lock = run_lock.acquire(database.parent, self.lock_wait_seconds)
        if database.resolve() == project.work_warehouse_path().resolve():
            for path in remove_stale_work(database):
                if context.log is not None:
                    context.log.info(f"removed stale work file {path}")

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._lock is not None:
            run_lock.release(self._lock)
            self._lock = None

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        manager = super().get_connection()
        con = manager.__enter__()
        try:
            yield con
        except BaseException:
            con.close()
            raise
        manager.__exit__(None, None, None)


def warehouse_resource(database: str | None = None) -> WarehouseResource:
    """DuckDB on the work file (`<warehouse-dir>/green_transport.duckdb.work` by default),
    with the memory limit of `project.duckdb_memory_limit()`. The file it creates is in
    the storage format DuckDB 1.1 and later read (`STORAGE_COMPATIBILITY`)."""
    return WarehouseResource(
        database=database or str(project.work_warehouse_path()),
        connection_config={
            "memory_limit": project.duckdb_memory_limit(),
            "storage_compatibility_version": STORAGE_COMPATIBILITY,
        },
    )
