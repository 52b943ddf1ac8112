"""The last step of every run: publish the warehouse (and the dashboard site) atomically."""

import datetime as dt

import dagster as dg
import duckdb

from assets.publish.atomic import publish_directory, publish_file
from assets.publish.history import carry_forward, combined_hash, metric_hashes, write_runs
from pipelines import project
from pipelines.faults import pause_point

SITE_WORK_SUFFIX = ".work"


def site_work_dir():
    site = project.dashboards_dir()
    return site.with_name(site.name + SITE_WORK_SUFFIX)


def _run_started_at(context) -> dt.datetime:
    record = context.instance.get_run_record_by_id(context.run.run_id)
    if record and record.start_time:
        return dt.datetime.fromtimestamp(record.start_time, dt.UTC).replace(tzinfo=None)
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def record_history(context, work, published) -> dict:
    """Carry history forward and write this run's audit.runs row into the work file."""
    run_id = context.run.run_id
    with duckdb.connect(str(work)) as con:
        hashes = metric_hashes(con)
        metric_hash = combined_hash(hashes, con)
        files = con.execute(
            "select file_name, sha256, status from audit.source_files order by file_name"
        ).fetchall()
        carry_forward(con, published, run_id)
        current = {
            "run_id": run_id,
            "started_at": _run_started_at(context),
            "ended_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
            "status": "published",
            "exit_code": None,
            "published": True,
            "files_used": [{"file": f, "sha256": s, "status": st} for f, s, st in files],
            "metric_hash": metric_hash,
            "message": None,
        }
        write_runs(con, current)
    return {"metric_hash": metric_hash, "metric_table_hashes": hashes}


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
        check of the run succeeded. Before the rename it carries the audit history of the
        previously published file forward and records this run in audit.runs."""
        work, published = project.work_warehouse_path(), project.published_warehouse_path()
        history = record_history(context, work, published)
        pause_point("publish")
        publish_file(work, published)
        site_work = site_work_dir()
        if site_work.exists():
            publish_directory(site_work, project.dashboards_dir())
        context.log.info(f"published {published}")
        return dg.MaterializeResult(
            metadata={
                "path": str(published),
                "bytes": published.stat().st_size,
                "metric_hash": history["metric_hash"],
                "metric_table_hashes": history["metric_table_hashes"],
            }
        )

    return published_warehouse
