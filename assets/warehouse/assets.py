"""One Dagster asset per SQL model in dbt_like_sql/ (an asset factory).

Each asset is keyed [schema, table], depends on the assets that write the tables its SQL reads
(other models, or the assets table_writers finds for raw.*, reference.*, the ledgers and the
tables built in Python), runs
`create or replace table <schema>.<table> as <select>` and then comments the table and its
columns from the model's header, so the warehouse documents itself. A model whose SQL and
inputs are those the published table was built from is not computed again: its table is
taken from the published warehouse (assets/warehouse/fingerprints.py), unless the run is a
full rebuild. The fingerprint is the asset's Dagster data version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    SqlModel,
    check_declarations,
    ordered_models,
    read_sql_dir,
    split_declarations,
)
from assets.warehouse.table_writers import table_writers
from pipelines import project
from pipelines.faults import pause_point
from pipelines.sql_text import identifier, qualified
from pipelines.warehouse import column_types, comment_model, preview_markdown


def table_columns(con: duckdb_client.DuckDBPyConnection, model: SqlModel) -> list[tuple[str, str]]:
    return list(column_types(con, model.qualified_name).items())


def build_model(con: duckdb_client.DuckDBPyConnection, model: SqlModel) -> int:
    """Create or replace the model's table (after the macros it calls), comment it, and return
    its row count."""
    table_sql = qualified(model.qualified_name)
    con.execute(f"create schema if not exists {identifier(model.schema)}")
    for macro in model.macros:
        con.execute(macro.create_sql)
    con.execute(f"create or replace table {table_sql} as\n{model.sql}")
    comment_model(con, model)
    (rows,) = con.execute(f"select count(*) from {table_sql}").fetchall()[0]  # result finished
    return int(rows)


def model_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(table.split(".", 1))


def model_deps(model: SqlModel, writers: Mapping[str, Sequence[dg.AssetKey]]) -> list[dg.AssetKey]:
    """The asset keys a model waits for: a model it reads, or every writer of another table."""
    deps = [key for table in model.reads for key in writers.get(table, [model_key(table)])]
    return sorted(set(deps), key=lambda key: key.path)


def materialise_model(
    con: duckdb_client.DuckDBPyConnection,
    model: SqlModel,
    published: Path | None,
    run_id: str,
) -> tuple[int, str, str]:
    """Build the model's table, or take it unchanged from `published` (None: always build).
    Returns (rows, action, fingerprint) and records the build in audit.model_builds."""
    fingerprint = model_fingerprint(model, input_fingerprints(con, model))
    output = None
    if published is not None:
        output = copy_if_published(con, model.qualified_name, fingerprint, published)
    if output is not None:
        comment_model(con, model)
        (rows,) = con.execute(f"select count(*) from {qualified(model.qualified_name)}").fetchone()
        action = SKIPPED
    else:
        rows, action = build_model(con, model), BUILT
    record_build(con, model.qualified_name, fingerprint, action, run_id, output)
    return int(rows), action, fingerprint


def reusable_published(duckdb: DuckDBResource, run_tags: Mapping[str, str]) -> Path | None:
    """The published warehouse, when this run may take unchanged tables from it: the run
    writes the project's work file and is not a full rebuild."""
    if project.full_rebuild(run_tags) or duckdb.database == ":memory:":
        return None
    if Path(duckdb.database).resolve() != project.work_warehouse_path().resolve():
        return None
    return project.published_warehouse_path()


def sql_model_asset(model: SqlModel, deps: Sequence[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=model_key(model.qualified_name),
        deps=deps,
        group_name=model.schema,
        kinds={"duckdb", "sql"},
        description=model.description,
        code_version=model.code_version,
        pool="warehouse",
    )
    def _sql_model(context, duckdb: DuckDBResource) -> dg.MaterializeResult:
        pause_point("sql")
        published = reusable_published(duckdb, context.run.tags)
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


def build_sql_model_assets(
    models: list[SqlModel], writers: Mapping[str, Sequence[dg.AssetKey]]
) -> list[dg.AssetsDefinition]:
    return [sql_model_asset(model, model_deps(model, writers)) for model in models]


def sql_model_assets(
    other_assets: Sequence[dg.AssetsDefinition], sql_dir=None
) -> list[dg.AssetsDefinition]:
    """One asset per model of sql_dir (default project.SQL_DIR); other_assets are every
    asset that writes a table a model may read. A model reading a table no asset writes, a
    declared table no asset writes, and a marts/metrics table built in Python without a
    declaration are errors here, when the definitions load."""
    writers = table_writers(other_assets)
    models, declared = split_declarations(read_sql_dir(sql_dir or project.SQL_DIR))
    check_declarations(declared, set(writers))
    return build_sql_model_assets(ordered_models(models, declared, set(writers)), writers)
