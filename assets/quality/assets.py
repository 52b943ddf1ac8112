"""The data docs asset (quality.reconciliation is a SQL model: dbt_like_sql/quality/)."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.quality.data_docs import docs_dir, write_docs
from assets.quality.results import ensure_result_tables
from assets.quality.suite_builder import load_suite_specs

DASHBOARD_SITE = dg.AssetKey(["dashboards", "site"])


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
