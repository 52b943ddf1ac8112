"""The one warehouse resource. Every asset writes the run's work file, never the published one."""

from dagster_duckdb import DuckDBResource

from pipelines import project


def warehouse_resource(database: str | None = None) -> DuckDBResource:
    """DuckDB on the work file (`<warehouse-dir>/green_transport.duckdb.work` by default),
    with the memory limit of `project.duckdb_memory_limit()`."""
    return DuckDBResource(
        database=database or str(project.work_warehouse_path()),
        connection_config={"memory_limit": project.duckdb_memory_limit()},
    )
