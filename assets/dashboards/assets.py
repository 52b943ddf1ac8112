"""The dashboard site asset: builds the static page from the run's work warehouse.

The site is written into the work directory beside the published one; the publish asset
swaps it into place only when the whole run succeeded. When the published site was drawn
from the same inputs (assets/dashboards/site_fingerprint.py) it is copied instead of drawn
again, unless the run is a full rebuild.
"""

import base64
import datetime as dt

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.dashboards.labels import Words, language_from_env
from assets.dashboards.section_downloads import EXPORTS_DIR_NAME
from assets.dashboards.site import SiteReport, build_site
from assets.dashboards.site_fingerprint import (
    copy_published_site,
    published_fingerprint,
    site_fingerprint,
    write_fingerprint,
)
from assets.dashboards.views import create_views, dashboard_deps, read_views
from assets.exports.workbook import WORKBOOK_NAME, write_workbook
from assets.publish.assets import site_work_dir
from assets.warehouse.fingerprints import BUILT, SKIPPED
from pipelines import project

# Tables the page's views read (assets/dashboards/views.py), as Dagster deps: those of the model
# layers that hold one asset per table. audit.*, quality.* and reference.* come with the raw,
# quality and reference assets upstream of these. The page omits, with a note, any that a run
# did not build.
DEP_LAYERS = ("staging", "intermediate", "marts", "metrics")
DASHBOARD_DEPS = dashboard_deps(read_views(), DEP_LAYERS)


def site_metadata(report: SiteReport, language: str) -> dict:
    metadata = {
        "index": dg.MetadataValue.path(str(report.index)),
        "charts": len(report.chart_ids),
        "language": language,
        "cjk_font": str(report.font.directory) if report.font else "NONE: exports show boxes",
        "omitted": dg.MetadataValue.md(
            "\n".join(f"- {name}: {why}" for name, why in report.omitted.items()) or "(none)"
        ),
    }
    png = report.overview_png()
    if png is not None:
        encoded = base64.b64encode(png).decode("ascii")
        metadata["overview"] = dg.MetadataValue.md(f"![overview](data:image/png;base64,{encoded})")
    return metadata


@dg.asset(
    key=["dashboards", "site"],
    group_name="dashboards",
    kinds={"html", "duckdb"},
    deps=DASHBOARD_DEPS,
)
def dashboard_site(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """The managers' page (<dashboards-dir>/index.html once published): the five targets as
    bullet charts with status, gap, vehicles to close and as-of date; a section per indicator
    (trend, target, deadline, projection, survey intervals, composition, what-if slider for
    the fleets); transit supply; data freshness and quality. Chinese first with English
    beside (GREENTRACK_LANG=en for English only); opens offline; PNG and SVG of every chart
    in exports/."""
    language = language_from_env()
    site, site_work = project.dashboards_dir(), site_work_dir()
    with duckdb.get_connection() as con:
        # before the redraw-or-copy decision, so the published warehouse always holds them
        for name, why in create_views(con, read_views()).items():
            context.log.info(f"dashboard view {name} not created: {why}")
        fingerprint = site_fingerprint(con, language)
        if (
            not project.full_rebuild(context.run.tags)
            and published_fingerprint(site) == fingerprint
        ):
            copy_published_site(site, site_work)
            write_workbook(con, site_work / EXPORTS_DIR_NAME / WORKBOOK_NAME, dt.date.today())
            context.log.info("dashboard inputs unchanged: the published site is kept, not redrawn")
            return dg.MaterializeResult(
                data_version=dg.DataVersion(fingerprint),
                metadata={
                    "index": dg.MetadataValue.path(str(site_work / "index.html")),
                    "language": language,
                    "build": SKIPPED,
                    "fingerprint": fingerprint,
                },
            )
        report = build_site(con, site_work, Words(language), bundle_cache=project.cache_dir())
    write_fingerprint(site_work, fingerprint)
    if report.font is None:
        context.log.warning("no CJK font found: exported images will show boxes for Chinese")
    for name, why in report.omitted.items():
        context.log.info(f"dashboard part {name} omitted: {why}")
    metadata = {**site_metadata(report, language), "build": BUILT, "fingerprint": fingerprint}
    return dg.MaterializeResult(data_version=dg.DataVersion(fingerprint), metadata=metadata)
