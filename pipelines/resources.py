"""The one warehouse resource. Every asset writes the run's work file, never the published one."""

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
from dagster_duckdb import DuckDBResource

from pipelines import project
from pipelines.warehouse import STORAGE_COMPATIBILITY


class WarehouseResource(DuckDBResource):
    """dagster-duckdb's resource, but the connection is closed when the asset body raises.

    dagster-duckdb closes its connection after a clean `yield` only. When an asset fails, the
    connection lives on for as long as the failure's traceback does, and the runner's read-only
    look at the work file (to print what was loaded before the failure) is then refused with
    "Can't open a connection to same database file with a different configuration".
    """

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
