"""Small, shared DuckDB helpers: schemas, writing frames as tables, previews for metadata.

Every asset writes through these so that table creation looks the same everywhere and frames
cross into DuckDB through Arrow (zero-copy), never row by row.
"""

from __future__ import annotations

import functools

import duckdb
import polars as pl

from assets.warehouse.sql_models import (
    DOCUMENTED_SCHEMAS,
    SqlModel,
    SqlModelError,
    discover_declarations,
)
from pipelines import project
from pipelines.sql_text import identifier, literal, qualified

# The storage format the warehouse is written in. DuckDB 2 writes format v2.0.0 by default, which
# no DuckDB 1.x can open, and analysts' clients (DBeaver's JDBC driver, older R and Python
# installs) bundle 1.x. The format is fixed when the file is created and kept by every later
# connection and checkpoint, so only the connection that creates the work file must set it.
STORAGE_COMPATIBILITY = "v1.1.0"
OLDEST_READER = "1.1"

SCHEMAS = (
    "reference",
    "raw",
    "staging",
    "intermediate",
    "marts",
    "metrics",
    "quality",
    "audit",
    "survey_external",
)


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {identifier(schema)}")


WRITE_SLICE_ROWS = 1_000_000


def replace_table(con: duckdb.DuckDBPyConnection, qualified_name: str, frame: pl.DataFrame) -> int:
    """Create or replace `schema.table` from a polars frame; returns the row count."""
    schema = qualified_name.split(".")[0]
    con.execute(f"create schema if not exists {identifier(schema)}")
    table = qualified(qualified_name)
    # Written in slices: each slice's Arrow copy of the frame is transient, so a 5-million-row
    # frame is never held twice (polars' string views become Arrow strings by copying).
    for offset in range(0, max(frame.height, 1), WRITE_SLICE_ROWS):
        con.register("_frame_to_write", frame.slice(offset, WRITE_SLICE_ROWS).to_arrow())
        try:
            if offset == 0:
                con.execute(f"create or replace table {table} as select * from _frame_to_write")
            else:
                con.execute(f"insert into {table} select * from _frame_to_write")
        finally:
            con.unregister("_frame_to_write")
    comment_table(con, qualified_name)
    return frame.height


@functools.cache
def declarations() -> dict[str, SqlModel]:
    """The tables built in Python, declared in dbt_like_sql/ (assets/warehouse/sql_models.py)."""
    return discover_declarations(project.SQL_DIR)


def comment_model(con: duckdb.DuckDBPyConnection, model: SqlModel) -> None:
    """COMMENT ON the table and every documented column from the header of its file in
    dbt_like_sql/ (a model or a declaration); marts/metrics/quality must document all."""
    table_sql = qualified(model.qualified_name)
    con.execute(f"comment on table {table_sql} is {literal(model.description)}")
    columns = list(column_types(con, model.qualified_name))
    if model.schema in DOCUMENTED_SCHEMAS:
        undocumented = [name for name in columns if name not in model.column_docs]
        stale = [name for name in model.column_docs if name not in columns]
        if undocumented or stale:
            raise SqlModelError(
                f"{model.qualified_name}: the header's columns: block does not match the table "
                f"(undocumented: {undocumented}, documented but absent: {stale})"
            )
    for name in columns:
        if name in model.column_docs:
            column_sql = f"{table_sql}.{identifier(name)}"
            con.execute(f"comment on column {column_sql} is {literal(model.column_docs[name])}")


def comment_table(con: duckdb.DuckDBPyConnection, qualified_name: str) -> None:
    """COMMENT ON a table built in Python as its declaration in dbt_like_sql/ says.

    A table with no declaration is left as it is: the SQL models comment their own, and
    warehouse_docs.yaml the raw, reference and audit tables before publication.
    """
    declaration = declarations().get(qualified_name)
    if declaration is not None:
        comment_model(con, declaration)


def append_rows(con: duckdb.DuckDBPyConnection, qualified_name: str, frame: pl.DataFrame) -> int:
    """Append a frame to an existing table, matching columns by name."""
    if frame.height == 0:
        return 0
    con.register("_frame_to_write", frame.to_arrow())
    try:
        con.execute(
            f"insert into {qualified(qualified_name)} by name select * from _frame_to_write"
        )
    finally:
        con.unregister("_frame_to_write")
    return frame.height


def table_exists(con: duckdb.DuckDBPyConnection, qualified_name: str) -> bool:
    schema, table = qualified_name.split(".")
    rows = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()  # fetchall, not fetchone: DuckDB 2 keeps a half-read result open otherwise
    return bool(rows and rows[0][0])


def column_types(con: duckdb.DuckDBPyConnection, qualified_name: str) -> dict[str, str]:
    """`{column: DuckDB type}` of `schema.table` in table order; empty when it does not
    exist. (Fetches every row, so the connection is free for the next query under DuckDB 2.)"""
    schema, table = qualified_name.split(".")
    rows = con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where schema_name = ? and table_name = ? order by column_index",
        [schema, table],
    ).fetchall()
    return dict(rows)


def fetch_frame(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> pl.DataFrame:
    """Run a query and return a polars frame through Arrow (DuckDB 2 has no `execute().pl()`)."""
    relation = con.sql(sql, params=params) if params is not None else con.sql(sql)
    return pl.from_arrow(relation.to_arrow_table())


def preview_markdown(con: duckdb.DuckDBPyConnection, qualified_name: str, limit: int = 5) -> str:
    """A few rows as a Markdown table, for Dagster materialisation metadata."""
    frame = fetch_frame(con, f"select * from {qualified(qualified_name)} limit ?", [int(limit)])
    return frame_to_markdown(frame)


def frame_to_markdown(frame: pl.DataFrame) -> str:
    if frame.width == 0:
        return "(no columns)"
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    body = [
        "| " + " | ".join("" if v is None else str(v) for v in row) + " |"
        for row in frame.iter_rows()
    ]
    return "\n".join([header, rule, *body])
