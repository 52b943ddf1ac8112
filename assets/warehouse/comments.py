"""Comments for every schema's tables and columns, so the warehouse documents itself and the
data dictionary page (assets/dashboards/dictionary.py) can be generated from it.

The SQL models comment their tables from their headers and table_docs.yaml comments the
Python-built marts/metrics tables as they are written; what neither covers (raw, reference,
audit, quality, survey_external, staging/intermediate columns) is commented here, once, on
the finished work file just before publication, from warehouse_docs.yaml. A comment already
set is kept."""

from __future__ import annotations

import functools
from pathlib import Path

import duckdb
import yaml

from pipelines.sql_text import identifier, literal, qualified

WAREHOUSE_DOCS = Path(__file__).resolve().parents[1] / "warehouse_docs.yaml"
GTFS_RAW_PREFIX = "gtfs_"


@functools.cache
def warehouse_docs() -> dict:
    return yaml.safe_load(WAREHOUSE_DOCS.read_text(encoding="utf-8"))


def column_doc(schema: str, table: str, column: str) -> str | None:
    known = warehouse_docs()["columns"].get(column)
    if known:
        return known
    if schema == "raw" and table.startswith(GTFS_RAW_PREFIX):
        return f"GTFS field {column} of {table.removeprefix(GTFS_RAW_PREFIX)}.txt, as text"
    return None


def _uncommented_tables(con) -> list[tuple[str, str]]:
    return con.execute(
        "select schema_name, table_name from duckdb_tables() "
        "where database_name = current_database() and coalesce(comment, '') = '' "
        "order by schema_name, table_name"
    ).fetchall()


def _uncommented_columns(con) -> list[tuple[str, str, str]]:
    return con.execute(
        "select schema_name, table_name, column_name from duckdb_columns() "
        "where database_name = current_database() and coalesce(comment, '') = '' "
        "and schema_name not in ('information_schema', 'pg_catalog') "
        "order by schema_name, table_name, column_index"
    ).fetchall()


def comment_warehouse(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Comments every table and column that has none and is documented; returns the
    `schema.table[.column]` names still without a comment."""
    tables = warehouse_docs()["tables"]
    missing = []
    for schema, table in _uncommented_tables(con):
        name = f"{schema}.{table}"
        if name in tables:
            con.execute(f"comment on table {qualified(name)} is {literal(tables[name])}")
        else:
            missing.append(name)
    for schema, table, column in _uncommented_columns(con):
        doc = column_doc(schema, table, column)
        if doc is None:
            missing.append(f"{schema}.{table}.{column}")
            continue
        target = f"{qualified(f'{schema}.{table}')}.{identifier(column)}"
        con.execute(f"comment on column {target} is {literal(doc)}")
    return missing
