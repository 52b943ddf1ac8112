"""Parquet copies of every `marts.*` and `metrics.*` table, for analysts whose tools read
Parquet but not DuckDB (pandas, R arrow, Power BI, Spark). One file per table, named
`<schema>.<table>.parquet`; written through Arrow, so the file holds the table's own types."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from pipelines.sql_text import qualified

PARQUET_SCHEMAS = ("marts", "metrics")
PARQUET_DIR_NAME = "parquet"


def exported_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select schema_name, table_name from duckdb_tables() "
        "where schema_name in (select unnest(?)) order by schema_name, table_name",
        [list(PARQUET_SCHEMAS)],
    ).fetchall()
    return [f"{schema}.{table}" for schema, table in rows]


def write_parquet_files(con: duckdb.DuckDBPyConnection, directory: Path) -> list[Path]:
    """Writes one Parquet file per marts/metrics table into `directory`; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in exported_tables(con):
        table = con.sql(f"select * from {qualified(name)}").to_arrow_table()
        path = directory / f"{name}.parquet"
        pq.write_table(table, path, compression="zstd")
        written.append(path)
    return written
