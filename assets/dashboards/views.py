"""The page's reads as views: dbt_like_sql/dashboard/<name>.sql is view dashboard.<name>.

Each file holds one select in the house style and a header like a model's (description,
`grain:`, `columns:`), plus two lines of its own:

    -- order by: <the order the page reads the rows in>
    -- passes through: <schema.table>

A view has no order of its own, so the page reads the view's select with `order by <order
by>` added: the order is stated once, beside the select, and applied where it counts. A view
that passes a table's columns through (`select *`) documents only the columns it computes or
renames; the others carry the comment of the same column of the table it passes through.

The views are created in the run's work warehouse every run (create or replace), so the
published file holds exactly what each chart shows. They are not models: the factory reads
only the model layers (assets/warehouse/sql_models.py MODEL_SCHEMAS), and a view costs
nothing to build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from assets.warehouse.sql_models import header_value, parse_header, tables_read
from pipelines import project
from pipelines.sql_text import identifier, literal, qualified
from pipelines.warehouse import table_exists

SCHEMA = "dashboard"
VIEW_DIR = project.SQL_DIR / SCHEMA
ORDER_BY = "order by:"
PASSES_THROUGH = "passes through:"


@dataclass(frozen=True)
class DashboardView:
    name: str
    sql: str
    description: str
    column_docs: dict[str, str] = field(default_factory=dict)
    order_by: str = ""
    passes_through: str = ""
    reads: tuple[str, ...] = ()  # schema-qualified tables, sorted

    @property
    def qualified_name(self) -> str:
        return f"{SCHEMA}.{self.name}"

    @property
    def read_sql(self) -> str:
        """The page's query: the view's select, its rows in the order its header states. The
        page runs the select itself rather than the view, so it draws from a warehouse opened
        read-only too (the asset creates the views in the run's file)."""
        order = f" order by {self.order_by}" if self.order_by else ""
        return f"select * from (\n{self.sql}\n){order}"


def read_view(path: Path) -> DashboardView:
    sql = path.read_text(encoding="utf-8").strip().removesuffix(";").rstrip()
    description, column_docs = parse_header(sql)
    return DashboardView(
        name=path.stem,
        sql=sql,
        description=description,
        column_docs=column_docs,
        order_by=header_value(sql, ORDER_BY) or "",
        passes_through=header_value(sql, PASSES_THROUGH) or "",
        reads=tables_read(sql, f"{SCHEMA}/{path.name}"),
    )


def read_views(view_dir: Path = VIEW_DIR) -> dict[str, DashboardView]:
    """name → view, for every file of the folder."""
    return {path.stem: read_view(path) for path in sorted(view_dir.glob("*.sql"))}


def column_comments(con: duckdb.DuckDBPyConnection, view: DashboardView) -> dict[str, str]:
    """The comment of each column of the view: its header's, else the passed-through
    table's comment on the same column (none when that table has none yet)."""
    rows = con.execute(
        "select v.column_name, t.comment from duckdb_columns() as v "
        "left join duckdb_columns() as t on t.database_name = v.database_name "
        "and t.schema_name || '.' || t.table_name = ? and t.column_name = v.column_name "
        "where v.database_name = current_database() and v.schema_name = ? "
        "and v.table_name = ? order by v.column_index",
        [view.passes_through, SCHEMA, view.name],
    ).fetchall()
    comments = {name: view.column_docs.get(name) or inherited for name, inherited in rows}
    return {name: text for name, text in comments.items() if text}


def create_view(con: duckdb.DuckDBPyConnection, view: DashboardView) -> None:
    """create or replace the view with its comments; DuckDB's binder raises when a table or
    column it reads is absent."""
    name = qualified(view.qualified_name)
    con.execute(f"create schema if not exists {identifier(SCHEMA)}")
    con.execute(f"create or replace view {name} as\n{view.sql}")
    con.execute(f"comment on view {name} is {literal(view.description)}")
    for column, text in column_comments(con, view).items():
        con.execute(f"comment on column {name}.{identifier(column)} is {literal(text)}")


def create_views(con: duckdb.DuckDBPyConnection, views: dict[str, DashboardView]) -> dict[str, str]:
    """Creates every view it can; returns name → why the others could not be created. A
    view that cannot be created is dropped, so no stale one stays in the file."""
    failed = {}
    for name, view in views.items():
        try:
            create_view(con, view)
        except duckdb.Error as error:
            con.execute(f"drop view if exists {qualified(view.qualified_name)}")
            failed[name] = why_not_read(con, view, error)
    return failed


def why_not_read(con: duckdb.DuckDBPyConnection, view: DashboardView, error: Exception) -> str:
    """`<schema.table> absent` for the tables read that do not exist (DuckDB's message names
    the table without its schema), else the first line of DuckDB's error (a column missing)."""
    absent = [table for table in view.reads if not table_exists(con, table)]
    if absent:
        return ", ".join(f"{table} absent" for table in absent)
    reason = str(error).splitlines()[0].removeprefix("Binder Error: ")
    return f"{view.qualified_name}: {reason}"


def dashboard_deps(views: dict[str, DashboardView], layers: tuple[str, ...]) -> list[list[str]]:
    """The asset keys of the tables the views read in the given schemas, sorted."""
    tables = {table for view in views.values() for table in view.reads}
    return [table.split(".") for table in sorted(tables) if table.split(".")[0] in layers]
