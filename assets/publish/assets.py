"""The last step of every run: publish the warehouse (and the dashboard site) atomically."""

import dagster as dg

from assets.publish.atomic import publish_directory, publish_file
from pipelines import project

SITE_WORK_SUFFIX = ".work"


def site_work_dir():
    site = project.dashboards_dir()
    return site.with_name(site.name + SITE_WORK_SUFFIX)


def build_publish_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    """Depends on every other asset, so blocking checks upstream stop publication."""

    @dg.asset(
        key=["published", "green_transport"],
        group_name="publish",
        kinds={"duckdb"},
        deps=upstream,
        pool="warehouse",
    )
    def published_warehouse(context: dg.AssetExecutionContext):
        """Publishes the work file as <warehouse-dir>/green_transport.duckdb by atomic rename,
        and the dashboard site built in this run, only after every asset and every blocking
        check of the run succeeded."""
        work, published = project.work_warehouse_path(), project.published_warehouse_path()
        publish_file(work, published)
        site_work = site_work_dir()
        if site_work.exists():
            publish_directory(site_work, project.dashboards_dir())
        context.log.info(f"published {published}")
        return dg.MaterializeResult(
            metadata={"path": str(published), "bytes": published.stat().st_size}
        )

    return published_warehouse
