"""Comments for every schema's tables and columns, so the warehouse documents itself and the
data dictionary page (assets/dashboards/dictionary.py) can be generated from it.

Every marts/metrics table is commented from the header of its file in dbt_like_sql/ as it is
written: a SQL model's, or the declaration of a table built in Python; what the headers do not
cover (raw, reference, audit, quality, survey_external, staging/intermediate columns) is
commented here, once, on
the finished work file just before publication, from warehouse_docs.yaml. A comment already
set is kept. Then every table, and every column with a Chinese name, gets its Chinese name from
warehouse_docs_zh.yaml before the English, so the warehouse and the dictionary read Chinese
with English beside."""

from __future__ import annotations

import functools
from pathlib import Path

import duckdb
import yaml

from pipelines.sql_text import identifier, literal, qualified

WAREHOUSE_DOCS = Path(__file__).resolve().parents[1] / "warehouse_docs.yaml"
CHINESE_NAMES = Path(__file__).resolve().parents[1] / "warehouse_docs_zh.yaml"
GTFS_RAW_PREFIX = "gtfs_"
# Every table and view (schema dashboard: what each chart shows) with its comment and kind.
RELATIONS = (
    "select 'table' as kind, database_name, schema_name, table_name, comment "
    "from duckdb_tables() union all "
    "select 'view', database_name, schema_name, view_name, comment from duckdb_views() "
    "where not internal"
)


@functools.cache
def warehouse_docs() -> dict:
    return yaml.safe_load(WAREHOUSE_DOCS.read_text(encoding="utf-8"))


@functools.cache
def chinese_names() -> dict:
    """{"tables": {schema.table: 中文名}, "columns": {column: 中文名}}."""
    return yaml.safe_load(CHINESE_NAMES.read_text(encoding="utf-8"))


def chinese_name(schema: str, table: str, column: str | None = None) -> str | None:
    if column is None:
        return chinese_names()["tables"].get(f"{schema}.{table}")
    return chinese_names()["columns"].get(column)


def bilingual(chinese: str | None, english: str) -> str:
    """The Chinese name, then the English comment; a comment already holding the Chinese name
    (a SQL header that names the source's own column, `投运日期 date the bus ...`) is kept."""
    if not chinese or chinese in english:
        return english
    return f"{chinese} {english}"


def english_part(chinese: str | None, comment: str) -> str:
    """The comment without the Chinese name bilingual() put before it (English-only pages)."""
    return comment.removeprefix(f"{chinese} ") if chinese else comment


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
    add_chinese_names(con)
    return missing


def add_chinese_names(con: duckdb.DuckDBPyConnection) -> None:
    """Puts the Chinese name before every commented table's, view's and column's English comment,
    in one transaction: one commit for some 600 COMMENT ONs, and all of them or none."""
    con.begin()
    try:
        _add_chinese_names(con)
    except BaseException:
        con.rollback()
        raise
    con.commit()


def _add_chinese_names(con: duckdb.DuckDBPyConnection) -> None:
    relations = con.execute(
        f"select kind, schema_name, table_name, comment from ({RELATIONS}) "
        "where database_name = current_database() and coalesce(comment, '') <> ''"
    ).fetchall()
    for kind, schema, name, comment in relations:
        text = bilingual(chinese_name(schema, name), comment)
        if text != comment:
            con.execute(f"comment on {kind} {qualified(f'{schema}.{name}')} is {literal(text)}")
    columns = con.execute(
        "select schema_name, table_name, column_name, comment from duckdb_columns() "
        "where database_name = current_database() and coalesce(comment, '') <> '' "
        "and schema_name not in ('information_schema', 'pg_catalog')"
    ).fetchall()
    for schema, table, column, comment in columns:
        text = bilingual(chinese_name(schema, table, column), comment)
        if text != comment:
            target = f"{qualified(f'{schema}.{table}')}.{identifier(column)}"
            con.execute(f"comment on column {target} is {literal(text)}")
