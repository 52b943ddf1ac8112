"""reference.* tables: the code tables and targets every model and check joins against."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.reference.code_tables import CODE_TABLES, read_code_table, read_targets
from pipelines import project
from pipelines.warehouse import ensure_schemas, replace_table

REFERENCE_TABLES = (*CODE_TABLES, "targets")


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key=["reference", name],
            group_name="reference",
            kinds={"duckdb"},
            description=f"Code table reference.{name}, loaded from reference/{name}."
            if name != "targets"
            else "Targets of the plan from reference/targets.yaml (target kept exact).",
        )
        for name in REFERENCE_TABLES
    ],
)
def reference_tables(duckdb: DuckDBResource):
    """Load every committed code table and targets.yaml into `reference.*`."""
    with duckdb.get_connection() as con:
        ensure_schemas(con)
        for name in CODE_TABLES:
            rows = replace_table(
                con, f"reference.{name}", read_code_table(project.REFERENCE_DIR, name)
            )
            yield dg.MaterializeResult(asset_key=["reference", name], metadata={"rows": rows})
        targets = read_targets(project.REFERENCE_DIR)
        replace_table(con, "reference.targets_text", targets)
        con.execute(
            "create or replace table reference.targets as "
            "select * replace (cast(target as decimal(18, 6)) as target) "
            "from reference.targets_text"
        )
        con.execute("drop table reference.targets_text")
        yield dg.MaterializeResult(
            asset_key=["reference", "targets"], metadata={"rows": targets.height}
        )
