"""The dashboard asset in Dagster, English-only mode, and a warehouse missing tables."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest
from dagster_duckdb import DuckDBResource

from assets.dashboards import exports, fonts
from assets.dashboards.assets import dashboard_site
from assets.dashboards.labels import Words
from assets.dashboards.site import build_site
from assets.publish.assets import site_work_dir
from pipelines import project
from tests.test_dashboard_fixtures import TABLES, build_warehouse
from tests.test_dashboard_site import embedded, find_rows

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def asset_instance():
    """The Dagster instance the asset runs in, kept so a test can read the run's log."""
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


@pytest.fixture(scope="module")
def english_run(tmp_path_factory, asset_instance):
    """The asset materialised once with GREENTRACK_LANG=en into a private dashboards dir, on
    a machine whose only CJK font is the one the lock installs (no Debian font package, no
    GREENTRACK_CJK_FONT_DIR); yields (result, index.html text) with the environment still
    pointing there."""
    root = tmp_path_factory.mktemp("asset")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GREENTRACK_LANG", "en")
        env.setenv("GREENTRACK_DASHBOARDS_DIR", str(root / "site"))
        env.setenv("GREENTRACK_WAREHOUSE_DIR", str(root / "warehouse"))
        env.delenv("GREENTRACK_CJK_FONT_DIR", raising=False)
        env.setattr(fonts, "SYSTEM_CANDIDATES", ())
        exports.register_cjk_font.cache_clear()
        database = build_warehouse(root / "fixture.duckdb")
        result = dg.materialize(
            [dashboard_site],
            resources={"duckdb": DuckDBResource(database=str(database))},
            instance=asset_instance,
        )
        yield result, (site_work_dir() / "index.html").read_text(encoding="utf-8")
    exports.register_cjk_font.cache_clear()  # later tests look the font up again


def test_a_machine_without_system_fonts_draws_with_the_locked_font_and_no_warning(
    english_run, asset_instance
):
    result, _ = english_run
    (event,) = result.get_asset_materialization_events()
    font_directory = event.materialization.metadata["cjk_font"].value
    assert "mplfonts" in Path(font_directory).parts
    messages = [entry.user_message for entry in asset_instance.all_logs(result.run_id)]
    assert any("dashboard part" in m for m in messages)  # the asset's own log is read
    assert [m for m in messages if "CJK" in m] == []


def test_asset_writes_the_site_into_the_work_dir_only(english_run):
    result, _ = english_run
    assert result.success
    assert (site_work_dir() / "exports" / "overview_targets.png").exists()
    assert not project.dashboards_dir().exists()  # publishing is the publish asset's job


def test_materialisation_shows_the_overview_chart(english_run):
    result, _ = english_run
    (event,) = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    assert event.materialization.asset_key == dg.AssetKey(["dashboards", "site"])
    image = re.fullmatch(r"!\[overview\]\(data:image/png;base64,(.+)\)", metadata["overview"].value)
    png = base64.b64decode(image.group(1))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    # drawn from the exported SVG, byte for byte what Vega draws from the spec at scale 1
    specs = embedded(
        (site_work_dir() / "index.html").read_text(encoding="utf-8"), "greentrack-specs"
    )
    assert png == exports.to_png(specs["overview_targets"], 1.0)
    assert metadata["charts"].value == 18
    assert metadata["language"].value == "en"


def test_english_only_page(english_run):
    _, html = english_run
    visible = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    headings = re.findall(r"<(?:h1|h2|h3|th|dt|figcaption)[^>]*>(.*?)</", visible)
    assert headings and [h for h in headings if CJK.search(h)] == []
    assert "Five targets at a glance" in html and "+4.0 pp" in html and "20 vehicles" in html
    assert "个百分点" not in visible


def test_missing_metrics_tables_still_give_a_page(tmp_path):
    database = tmp_path / "empty.duckdb"
    duckdb.connect(str(database)).close()
    with duckdb.connect(str(database), read_only=True) as con:
        report = build_site(con, tmp_path / "site", Words("zh"), export_images=False)
    html = report.index.read_text(encoding="utf-8")
    assert report.chart_ids == []
    assert "metrics.indicator_values absent" in html and "audit.source_files absent" in html


def _gtfs_daily() -> pl.DataFrame:
    rows = [
        ("v2", "taicang_bus", "weekday", 610, 5200.0, 380.5, '{"城厢镇": 120, "沙溪镇": 40}'),
        ("v2", "taicang_bus", "sunday", 420, 3900.0, 290.0, '{"城厢镇": 100}'),
        ("v3", "taicang_rail", "weekday", 80, 0.0, 40.0, '{"城厢镇": 2}'),
        ("v1", "taicang_bus", "weekday", 999, 9999.0, 999.0, '{"城厢镇": 999}'),  # superseded
    ]
    schema = ["feed_version", "feed_name", "day_type", "trips", "bus_km", "service_hours",
              "stops_per_town"]  # fmt: skip
    return pl.DataFrame(rows, schema=schema, orient="row")


def _feed_versions() -> pl.DataFrame:
    rows = [("v1", "taicang_bus", "2025-06-15", "accepted", False),
            ("v2", "taicang_bus", "2025-10-01", "accepted", True),
            ("v3", "taicang_rail", "2025-09-01", "accepted", True)]  # fmt: skip
    schema = ["feed_version", "feed_name", "file_date", "status", "is_newest"]
    return pl.DataFrame(rows, schema=schema, orient="row").with_columns(
        pl.col("file_date").str.to_date()
    )


def _gtfs_values() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "indicator_id": ["bus_km_clean_share"],
            "period": ["2025-10-01"],
            "period_end": ["2025-10-01"],
            "value": [0.87],
        }
    ).with_columns(pl.col("period_end").str.to_date())


def _validation() -> pl.DataFrame:
    return pl.DataFrame(
        {"suite": ["raw.bus_fleet"], "expectation": ["expect_column_values_to_not_be_null"],
         "column": ["in_service_on"], "success": [False], "unexpected_count": [3]}
    )  # fmt: skip


def _bus_fleet_without_energy_class() -> pl.DataFrame:
    return TABLES["marts.fct_bus_fleet_monthly"]().drop("energy_class")


def test_optional_parts_appear_when_present_and_a_changed_mart_degrades(tmp_path):
    tables = {
        **TABLES,
        "marts.fct_gtfs_feed_service_daily": _gtfs_daily,
        "marts.dim_gtfs_feed_version": _feed_versions,
        "metrics.gtfs_indicator_values": _gtfs_values,
        "quality.validation_results": _validation,
        "marts.fct_bus_fleet_monthly": _bus_fleet_without_energy_class,
    }
    database = build_warehouse(tmp_path / "full.duckdb", tables)
    with duckdb.connect(str(database), read_only=True) as con:
        report = build_site(con, tmp_path / "site", Words("zh"), export_images=False)
    html = report.index.read_text(encoding="utf-8")
    supply = {"supply_clean_share", "supply_service", "supply_stops_by_town"}
    assert supply <= set(report.chart_ids)
    towns = find_rows(report.specs["supply_stops_by_town"], {"town", "stops"})
    assert sorted((r["town"], r["stops"]) for r in towns) == [("城厢镇", 122), ("沙溪镇", 40)]
    assert "expect_column_values_to_not_be_null" in html and "in_service_on" in html
    assert "bus_fleet_bus_clean_share" not in report.chart_ids
    # DuckDB's binder names the column the view dashboard.bus_fleet cannot find
    assert "dashboard.bus_fleet: Referenced column &quot;energy_class&quot; not found" in html


def test_a_section_that_fails_to_draw_becomes_a_note(tmp_path, monkeypatch):
    def broken(target, reads, words):
        raise ValueError("unexpected data")

    monkeypatch.setattr("assets.dashboards.site.indicator_section", broken)
    database = build_warehouse(tmp_path / "fixture.duckdb")
    with duckdb.connect(str(database), read_only=True) as con:
        report = build_site(con, tmp_path / "site", Words("en"), export_images=False)
    html = report.index.read_text(encoding="utf-8")
    assert "Not shown: this section (ValueError: unexpected data)" in html
    assert report.omitted["section bus_clean_share"] == "ValueError: unexpected data"
    assert "overview_targets" in report.chart_ids
