"""quality.reconciliation (fleet ledgers against registrations) and the data docs asset."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.quality.data_docs import docs_dir, write_docs
from assets.quality.reconciliation import counts_by_kind, reconcile, vehicles_checked
from assets.quality.results import ensure_result_tables
from assets.quality.suite_builder import load_suite_specs
from pipelines.warehouse import frame_to_markdown, replace_table

DASHBOARD_SITE = dg.AssetKey(["dashboards", "site"])

LISTED_IN_METADATA = 200


@dg.asset(
    key=["quality", "reconciliation"],
    group_name="quality",
    kinds={"duckdb"},
    deps=[
        ["staging", "stg_registrations__vehicles"],
        ["staging", "stg_bus_fleet__buses"],
        ["staging", "stg_taxi_fleet__taxis"],
        ["staging", "stg_audit__accepted_files"],
        ["reference", "powertrain"],
        ["reference", "plate_type"],
        ["reference", "fuel"],
    ],
    pool="warehouse",
)
def quality_reconciliation(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """Every bus of the newest accepted bus ledger and every street-hail taxi of the newest
    taxi register, checked against the newest accepted registrations: plate registered,
    usage C (bus) or D (taxi), powertrain new-energy exactly when the registration is
    electric. One row per mismatched vehicle and kind, plates pseudonymised."""
    with duckdb.get_connection() as con:
        ensure_result_tables(con)
        frame = reconcile(con)
        replace_table(con, "quality.reconciliation", frame)
        checked = vehicles_checked(con)
    counts = counts_by_kind(frame)
    listed = frame.select("fleet", "vehicle_id", "mismatch_kind", "detail")
    context.log.info(f"reconciliation: {counts} over {checked} vehicles")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": frame.height,
            "vehicles_checked": checked,
            "mismatches_by_kind": counts,
            "mismatched_vehicles": dg.MetadataValue.md(
                frame_to_markdown(listed.head(LISTED_IN_METADATA))
            ),
        }
    )


quality_assets: list = [quality_reconciliation]


def data_docs_asset(graph: list) -> dg.AssetsDefinition:
    """The data docs asset for a graph: downstream of every asset that has a suite (so, all
    checks being blocking, of every suite's check) and of the dashboard site, whose build
    replaces the site work dir; the pages go into its `quality/` folder afterwards."""
    present = {key for asset in graph for key in getattr(asset, "keys", ())}
    checked = {dg.AssetKey(list(spec.asset_key)) for spec in load_suite_specs()}
    upstream = sorted(checked & present | {DASHBOARD_SITE} & present, key=str)

    @dg.asset(
        key=["quality", "data_docs"],
        group_name="quality",
        kinds={"html"},
        deps=upstream,
    )
    def quality_data_docs(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
        """Offline HTML data docs of this run's suites (<dashboards-dir>/quality/index.html
        once published): one page per suite with every expectation, its severity, result,
        unexpected count and sample, rendered from quality.validation_results."""
        with duckdb.get_connection() as con:
            ensure_result_tables(con)
            pages = write_docs(con, context.run.run_id, docs_dir())
        return dg.MaterializeResult(
            metadata={"index": dg.MetadataValue.path(str(pages[0])), "pages": len(pages)}
        )

    return quality_data_docs
