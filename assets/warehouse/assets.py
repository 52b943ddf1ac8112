"""One Dagster asset per SQL model in dbt_like_sql/ (an asset factory).

Each asset is keyed [schema, table], depends on the tables its SQL reads, runs
`create or replace table <schema>.<table> as <select>` and then comments the table and its
columns from the model's header, so the warehouse documents itself. A model whose SQL and
inputs are those the published table was built from is not computed again: its table is
taken from the published warehouse (assets/warehouse/fingerprints.py), unless the run is a
full rebuild. The fingerprint is the asset's Dagster data version.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb as duckdb_client
from dagster_duckdb import DuckDBResource

from assets.warehouse.fingerprints import (
    BUILT,
    SKIPPED,
    copy_if_published,
    input_fingerprints,
    model_fingerprint,
    record_build,
)
from assets.warehouse.sql_models import (
    DOCUMENTED_SCHEMAS,
    SqlModel,
    SqlModelError,
    discover_models,
)
from pipelines import project
from pipelines.faults import pause_point
from pipelines.sql_text import identifier, literal, qualified
from pipelines.warehouse import column_types, preview_markdown


def table_columns(con: duckdb_client.DuckDBPyConnection, model: SqlModel) -> list[tuple[str, str]]:
    return list(column_types(con, model.qualified_name).items())


def comment_model(con: duckdb_client.DuckDBPyConnection, model: SqlModel) -> None:
    """COMMENT ON the table and every documented column; marts/metrics must document all."""
    table_sql = qualified(model.qualified_name)
    con.execute(f"comment on table {table_sql} is {literal(model.description)}")
    columns = [name for name, _ in table_columns(con, model)]
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


def build_model(con: duckdb_client.DuckDBPyConnection, model: SqlModel) -> int:
    """Create or replace the model's table, comment it, and return its row count."""
    table_sql = qualified(model.qualified_name)
    con.execute(f"create schema if not exists {identifier(model.schema)}")
    con.execute(f"create or replace table {table_sql} as\n{model.sql}")
    comment_model(con, model)
    (rows,) = con.execute(f"select count(*) from {table_sql}").fetchone()
    return int(rows)


def materialise_model(
    con: duckdb_client.DuckDBPyConnection,
    model: SqlModel,
    published: Path | None,
    run_id: str,
) -> tuple[int, str, str]:
    """Build the model's table, or take it unchanged from `published` (None: always build).
    Returns (rows, action, fingerprint) and records the build in audit.model_builds."""
    fingerprint = model_fingerprint(model, input_fingerprints(con, model))
    if published is not None and copy_if_published(
        con, model.qualified_name, fingerprint, published
    ):
        comment_model(con, model)
        (rows,) = con.execute(f"select count(*) from {qualified(model.qualified_name)}").fetchone()
        action = SKIPPED
    else:
        rows, action = build_model(con, model), BUILT
    record_build(con, model.qualified_name, fingerprint, action, run_id)
    return int(rows), action, fingerprint


def reusable_published(duckdb: DuckDBResource) -> Path | None:
    """The published warehouse, when this run may take unchanged tables from it: the run
    writes the project's work file and is not a full rebuild."""
    if project.full_rebuild() or duckdb.database == ":memory:":
        return None
    if Path(duckdb.database).resolve() != project.work_warehouse_path().resolve():
        return None
    return project.published_warehouse_path()


def sql_model_asset(model: SqlModel) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey([model.schema, model.name]),
        deps=[dg.AssetKey(list(upstream)) for upstream in model.upstream()],
        group_name=model.schema,
        kinds={"duckdb", "sql"},
        description=model.description,
        code_version=model.code_version,
        pool="warehouse",
    )
    def _sql_model(context, duckdb: DuckDBResource) -> dg.MaterializeResult:
        pause_point("sql")
        published = reusable_published(duckdb)
        with duckdb.get_connection() as con:
            rows, action, fingerprint = materialise_model(con, model, published, context.run.run_id)
            columns = table_columns(con, model)
            preview = preview_markdown(con, model.qualified_name)
        schema = dg.TableSchema(
            columns=[
                dg.TableColumn(name, data_type, description=model.column_docs.get(name))
                for name, data_type in columns
            ]
        )
        return dg.MaterializeResult(
            data_version=dg.DataVersion(fingerprint),
            metadata={
                "build": action,
                "fingerprint": fingerprint,
                "dagster/row_count": dg.MetadataValue.int(rows),
                "dagster/column_schema": schema,
                "preview": dg.MetadataValue.md(preview),
                "sql_file": dg.MetadataValue.path(str(model.path)),
            },
        )

    return _sql_model


def build_sql_model_assets(models: list[SqlModel]) -> list[dg.AssetsDefinition]:
    return [sql_model_asset(model) for model in models]


sql_model_assets = build_sql_model_assets(discover_models(project.SQL_DIR))
