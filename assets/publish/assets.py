"""The last step of every run: publish the warehouse and the dashboard site together, atomically,
and only when the run has something to publish."""

import datetime as dt

import dagster as dg
import duckdb

from assets.dashboards.dictionary import write_dictionary
from assets.dashboards.labels import Words, language_from_env
from assets.publish.atomic import publish_together
from assets.publish.gates import allow_empty_from_env, require_source_files
from assets.publish.history import carry_forward, combined_hash, metric_hashes, write_runs
from assets.publish.key_fingerprint import key_change_message, key_fingerprint
from assets.publish.key_history import previous_key_fingerprint
from assets.publish.notices import alert_after_publication
from assets.warehouse.comments import comment_warehouse
from pipelines import project
from pipelines.alerts import send_alert
from pipelines.faults import pause_point

SITE_WORK_SUFFIX = ".work"


def site_work_dir():
    site = project.dashboards_dir()
    return site.with_name(site.name + SITE_WORK_SUFFIX)


class PublishConfig(dg.Config):
    """Run config of the publish step (`greentrack run --allow-empty` sets allow_empty)."""

    allow_empty: bool = False


def _run_started_at(context) -> dt.datetime:
    record = context.instance.get_run_record_by_id(context.run.run_id)
    if record and record.start_time:
        return dt.datetime.fromtimestamp(record.start_time, dt.UTC).replace(tzinfo=None)
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def record_history(context, work, published, fingerprint: str, key_changed: bool) -> dict:
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
            "key_fingerprint": fingerprint,
            "key_changed": key_changed,
        }
        write_runs(con, current)
    return {"metric_hash": metric_hash, "metric_table_hashes": hashes}


def document_warehouse(context, work, site_work) -> None:
    """Comment every table and column the models did not, then write the data dictionary
    page from those comments into the site being published."""
    with duckdb.connect(str(work)) as con:
        missing = comment_warehouse(con)
        if site_work.is_dir():
            write_dictionary(con, site_work, Words(language_from_env()))
    if missing:
        context.log.warning(f"{len(missing)} tables/columns have no comment: {missing[:20]}")


def warn_key_change(context, previous: str, current: str) -> None:
    """Loud on every channel: the console and run log (Dagster's log) and alerts.log."""
    message = key_change_message(previous, current)
    context.log.warning(message)
    try:
        send_alert(
            {
                "event": "greentrack_pseudonym_key_changed",
                "run_id": context.run.run_id,
                "previous_key_fingerprint": previous,
                "key_fingerprint": current,
                "message": message,
            }
        )
    except OSError as error:
        context.log.warning(f"could not write the key-change alert: {error}")


def build_publish_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    """Depends on every other asset, so blocking checks upstream stop publication."""

    @dg.asset(
        key=["published", "green_transport"],
        group_name="publish",
        kinds={"duckdb"},
        deps=upstream,
        pool="warehouse",
        required_resource_keys={"duckdb"},
    )
    def published_warehouse(context: dg.AssetExecutionContext, config: PublishConfig):
        """Publishes the work file as <warehouse-dir>/green_transport.duckdb by atomic rename,
        together with the dashboard site built in this run (both or neither), only after every
        asset and every blocking check of the run succeeded, and only when ingest found at
        least one source file (unless allow_empty). Before the rename it carries the audit
        history of the previously published file forward and records this run in audit.runs,
        with the fingerprint of the pseudonym key; a changed key is warned about loudly.
        It opens the work file itself; the warehouse resource is asked for so that even a run
        of this one step holds the one-writer lock (pipelines/resources.py)."""
        work, published = project.work_warehouse_path(), project.published_warehouse_path()
        with duckdb.connect(str(work), read_only=True) as con:
            require_source_files(
                con, project.data_raw_dir(), config.allow_empty or allow_empty_from_env()
            )
        fingerprint = key_fingerprint(project.pseudonym_key()[0])
        previous = previous_key_fingerprint(published)
        key_changed = previous is not None and previous != fingerprint
        history = record_history(context, work, published, fingerprint, key_changed)
        document_warehouse(context, work, site_work_dir())
        pause_point("publish")
        publish_together(work, published, site_work_dir(), project.dashboards_dir())
        if key_changed:
            warn_key_change(context, previous, fingerprint)
        alert_after_publication(context, published)
        context.log.info(f"published {published}")
        return dg.MaterializeResult(
            metadata={
                "path": str(published),
                "bytes": published.stat().st_size,
                "metric_hash": history["metric_hash"],
                "metric_table_hashes": history["metric_table_hashes"],
                "key_fingerprint": fingerprint,
                "key_changed": key_changed,
            }
        )

    return published_warehouse
