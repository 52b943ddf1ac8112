"""Pure pieces of the dashboard: number words, projection, what-if inputs, freshness, fonts."""

from __future__ import annotations

import os
from datetime import date

import duckdb
import polars as pl
import pytest
import vl_convert

from assets.dashboards import exports
from assets.dashboards.charts_whatif import recent_pace, what_if_inputs
from assets.dashboards.fonts import find_cjk_font
from assets.dashboards.labels import Words, language_from_env
from assets.dashboards.projection import projected_share, projection_points, target_trend
from assets.dashboards.reads import order_targets, read_all
from assets.dashboards.section_indicators import indicator_kind
from assets.dashboards.section_quality import source_freshness
from assets.dashboards.views import read_views
from pipelines.warehouse import fetch_frame
from tests.test_dashboard_fixtures import (
    build_warehouse,
    indicator_values,
    target_gap,
)


@pytest.mark.parametrize(
    "value, shown",
    [(0.92, "92.0%"), (322 / 350, "92.0%"), (320 / 350, "91.4%"), (0.0506, "5.1%"),
     (0.04449, "4.4%"), (0.00049, "0.0%"), (1.0, "100.0%"), (None, "—")],
)  # fmt: skip
def test_share_has_one_decimal(value, shown):
    assert Words("zh").share(value) == shown


@pytest.mark.parametrize(
    "lang, gap, shown",
    [("zh", 3.4, "+3.4 个百分点"), ("zh", 3.45, "+3.5 个百分点"), ("zh", 0.0, "0.0 个百分点"),
     ("zh", -2.0, "-2.0 个百分点"), ("zh", -0.0153, "0.0 个百分点"), ("en", 3.4, "+3.4 pp"),
     ("zh", None, "—"), ("zh", float("nan"), "—")],
)  # fmt: skip
def test_gap_in_percentage_points(lang, gap, shown):
    assert Words(lang).points(gap) == shown


@pytest.mark.parametrize(
    "lang, zh, en, shown",
    [("zh", "目标", "target", "目标 target"), ("en", "目标", "target", "target")],
)
def test_text_is_chinese_first_or_english_only(lang, zh, en, shown):
    assert Words(lang).text(zh, en) == shown


@pytest.mark.parametrize("setting, lang", [("en", "en"), ("EN ", "en"), ("zh", "zh"), ("", "zh")])
def test_language_from_env(monkeypatch, setting, lang):
    monkeypatch.setenv("GREENTRACK_LANG", setting)
    assert language_from_env() == lang


def test_vehicles_in_both_languages():
    assert (Words("zh").vehicles(28), Words("en").vehicles(28)) == ("28 辆", "28 vehicles")


DEADLINE = date(2025, 12, 31)


def _trend(points=12, at_deadline=0.5, slope=0.001, start=date(2024, 11, 30), end=None):
    """A row of intermediate.int_targets__trend."""
    return {
        "indicator_id": "urban_taxi_nev_share", "deadline": DEADLINE, "points": points,
        "value_at_deadline": at_deadline, "slope_per_day": slope, "window_start": start,
        "window_end": end or date(2025, 10, 31),
    }  # fmt: skip


def test_projected_share_follows_the_line_from_the_deadline():
    assert projected_share(_trend(), date(2025, 12, 21)) == pytest.approx(0.49)


def test_projection_runs_from_the_window_start_to_the_deadline():
    points = projection_points(_trend())
    assert points["period_end"].to_list() == [date(2024, 11, 30), DEADLINE]
    assert points["projected"].to_list() == pytest.approx([0.5 - 0.001 * 396, 0.5])


def test_projection_is_clamped_to_0_1():
    points = projection_points(_trend(at_deadline=1.2, slope=0.01))
    assert points["projected"].to_list() == [0.0, 1.0]


def test_no_projection_once_the_deadline_has_passed():
    assert projection_points(_trend(end=date(2026, 1, 31))).is_empty()


def test_no_projection_from_one_value_or_without_a_trend():
    assert projection_points(_trend(points=1)).is_empty()
    assert projection_points(None).is_empty()


def test_trend_model_fits_the_last_twelve_months_of_the_fixture(tmp_path):
    with duckdb.connect(str(build_warehouse(tmp_path / "fixture.duckdb"))) as con:
        trends = fetch_frame(con, "select * from intermediate.int_targets__trend")
    taxi = target_trend(trends, {"indicator_id": "urban_taxi_nev_share", "deadline": DEADLINE})
    assert (taxi["points"], taxi["window_start"]) == (12, date(2024, 11, 30))
    assert 0.47 < projection_points(taxi)["projected"][1] < 0.48


def test_what_if_starts_from_the_latest_month():
    series = indicator_values().filter(pl.col("indicator_id") == "urban_taxi_nev_share")
    taxi = target_gap().filter(pl.col("indicator_id") == "urban_taxi_nev_share").row(0, named=True)
    what_if = what_if_inputs(series, taxi)
    assert (what_if.latest_end, what_if.numerator, what_if.denominator) == (
        date(2025, 10, 31), 230.0, 500.0
    )  # fmt: skip
    assert (what_if.units_to_close, what_if.recent_pace, what_if.needed_pace) == (20, 3, 10)
    assert (what_if.default_pace, what_if.max_pace) == (10, 20)
    assert what_if.horizon_months == 12
    assert what_if.param_name == "pace_urban_taxi_nev_share"


def test_recent_pace_never_negative():
    falling = pl.DataFrame(
        {"period_end": [date(2025, 1, 31), date(2025, 2, 28)], "numerator": [10.0, 8.0]}
    )
    assert recent_pace(falling) == 0


def test_targets_in_plan_order():
    ordered = order_targets(target_gap())["indicator_id"].to_list()
    assert ordered == [
        "bus_clean_share", "urban_taxi_nev_share", "new_public_vehicle_ev_share",
        "transit_mode_share", "green_travel_share",
    ]  # fmt: skip


def test_freshness_per_source_from_the_newest_accepted_file(tmp_path):
    with duckdb.connect(str(build_warehouse(tmp_path / "fixture.duckdb"))) as con:
        views = read_views()
        reads = read_all(con, {n: views[n] for n in ("source_files", "newest_files")})
    fresh = source_freshness(reads.get("source_files"), reads.get("newest_files"))
    taxi = fresh.filter(pl.col("source") == "taxi_fleet").row(0, named=True)
    assert taxi == {
        "source": "taxi_fleet", "files": 2, "rejected": 1,
        "newest_file": "taxi_fleet/taxi_fleet_20251031.csv", "newest_file_date": date(2025, 10, 31),
        "rows_loaded": 1000, "rows_quarantined": 0,
    }  # fmt: skip


@pytest.fixture
def cjk_font():
    font = find_cjk_font()
    if font is None:
        message = "no CJK font: apt-get install -y fonts-noto-cjk (see .ci/run)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return font


def _text_png(text: str, family: str) -> bytes:
    spec = {
        "data": {"values": [{"t": text}]},
        "mark": {"type": "text", "font": family, "fontSize": 40},
        "encoding": {"text": {"field": "t"}},
    }
    return vl_convert.vegalite_to_png(spec, vl_version=exports.vega_lite_version())


def test_cjk_font_is_found_and_registered(cjk_font):
    assert any(cjk_font.directory.glob("*.tt[cf]")) or any(cjk_font.directory.glob("*.otf"))
    assert exports.register_cjk_font() == cjk_font


def test_exported_png_is_what_vega_lite_to_png_draws(cjk_font, tmp_path):
    """export_chart rasterises its SVG instead of running Vega twice: same bytes."""
    spec = {
        "data": {"values": [{"月": "2025-09", "占比": 0.81}, {"月": "2025-10", "占比": 0.87}]},
        "mark": {"type": "bar", "font": cjk_font.family},
        "encoding": {"x": {"field": "月"}, "y": {"field": "占比", "type": "quantitative"}},
        "title": "新能源公交占比",
    }
    png, svg = exports.export_chart(spec, tmp_path, "chart")
    expected = vl_convert.vegalite_to_png(
        spec, vl_version=exports.vega_lite_version(), scale=exports.PNG_SCALE
    )
    assert png.read_bytes() == expected
    assert svg.read_text(encoding="utf-8").startswith("<svg")


def _small_specs(family: str) -> dict[str, dict]:
    return {
        f"chart_{n}": {
            "data": {"values": [{"月": f"2025-0{m}", "占比": m / 10} for m in range(1, n + 2)]},
            "mark": {"type": "bar", "font": family},
            "encoding": {"x": {"field": "月"}, "y": {"field": "占比", "type": "quantitative"}},
            "title": f"新能源公交占比 {n}",
        }
        for n in range(5)
    }


def test_worker_processes_draw_what_this_process_draws(cjk_font, tmp_path, monkeypatch):
    specs = _small_specs(cjk_font.family)
    specs["broken"] = {"mark": "no-such-mark", "data": {"values": []}}
    monkeypatch.setattr(exports, "export_workers", lambda charts: 2)

    def not_here(*args):
        raise AssertionError("a chart was drawn in this process, not by a worker")

    monkeypatch.setattr(exports, "export_or_error", not_here)  # the workers have their own
    errors = exports.export_charts(specs, tmp_path / "pooled")
    monkeypatch.undo()
    assert list(errors) == ["broken"]
    assert errors["broken"].startswith("ValueError: Vega-Lite to SVG conversion failed")
    for chart_id, spec in specs.items():
        if chart_id == "broken":
            continue
        png, svg = exports.export_chart(spec, tmp_path / "here", chart_id)
        assert (tmp_path / "pooled" / png.name).read_bytes() == png.read_bytes()
        assert (tmp_path / "pooled" / svg.name).read_bytes() == svg.read_bytes()
    assert sorted(p.name for p in (tmp_path / "pooled").iterdir()) == sorted(
        f"chart_{n}.{ext}" for n in range(5) for ext in ("png", "svg")
    )


@pytest.mark.parametrize("failure", ["no process", "worker dies", "worker hangs"])
def test_charts_a_worker_did_not_draw_are_drawn_here(cjk_font, tmp_path, monkeypatch, failure):
    specs = _small_specs(cjk_font.family)
    monkeypatch.setattr(exports, "export_workers", lambda charts: 2)
    if failure == "no process":

        def no_process(*args, **kwargs):
            raise OSError(11, "Resource temporarily unavailable")

        monkeypatch.setattr(exports.subprocess, "Popen", no_process)
    elif failure == "worker dies":
        monkeypatch.setattr(exports.sys, "executable", "/bin/false")  # exits 1, prints nothing
    else:
        stuck = tmp_path / "stuck.sh"
        stuck.write_text("#!/bin/sh\nexec sleep 60\n")
        stuck.chmod(0o755)
        monkeypatch.setattr(exports.sys, "executable", str(stuck))
        monkeypatch.setattr(exports, "WORKER_TIMEOUT_SECONDS", 1)
    assert exports.export_charts(specs, tmp_path) == {}
    assert len(list(tmp_path.glob("*.png"))) == len(list(tmp_path.glob("*.svg"))) == 5


def test_one_worker_claims_each_chart(tmp_path):
    from assets.dashboards.export_worker import claim

    assert claim(tmp_path, "overview") is True
    assert claim(tmp_path, "overview") is False
    assert claim(tmp_path, "trend") is True


def test_no_workers_for_one_core_or_one_chart(monkeypatch):
    monkeypatch.setattr(exports.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert exports.export_workers(18) == 0
    monkeypatch.setattr(exports.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    assert exports.export_workers(18) == 2
    assert exports.export_workers(1) == 0


def test_vega_bundle_is_cached_under_both_versions(tmp_path, monkeypatch):
    built = []
    monkeypatch.setattr(exports, "_built_bundle", lambda v: built.append(v) or f"bundle {v}")
    monkeypatch.setattr(exports.vl_convert, "__version__", "9.9.9")
    monkeypatch.setattr(exports, "vega_lite_version", lambda: "6.4")
    assert exports.javascript_bundle(tmp_path / "cache") == "bundle 6.4"
    cached = tmp_path / "cache" / "vega-bundle-vlconvert9.9.9-vl6.4.js"
    assert cached.read_text(encoding="utf-8") == "bundle 6.4"
    cached.write_text("kept", encoding="utf-8")
    assert exports.javascript_bundle(tmp_path / "cache") == "kept"
    assert built == ["6.4"]
    monkeypatch.setattr(exports.vl_convert, "__version__", "10.0.0")  # an upgrade rebuilds
    assert exports.javascript_bundle(tmp_path / "cache") == "bundle 6.4"
    assert built == ["6.4", "6.4"]
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [
        "vega-bundle-vlconvert10.0.0-vl6.4.js", "vega-bundle-vlconvert9.9.9-vl6.4.js"
    ]  # fmt: skip


def test_unwritable_bundle_cache_costs_time_not_the_page(tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "_built_bundle", lambda v: "bundle")
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    assert exports.javascript_bundle(blocked / "cache") == "bundle"


def test_chinese_renders_as_glyphs_not_boxes(cjk_font):
    """Missing glyphs all draw as the same box, so two different words would look the same."""
    exports.register_cjk_font()
    first, second = (
        _text_png("新能源公交", cjk_font.family),
        _text_png("绿色出行率", cjk_font.family),
    )
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert first != second


def test_what_if_header_shows_co2_only_with_a_saving_per_vehicle():
    from assets.dashboards.charts_whatif import crossing_fields, crossing_text

    series = indicator_values().filter(pl.col("indicator_id") == "urban_taxi_nev_share")
    taxi = target_gap().filter(pl.col("indicator_id") == "urban_taxi_nev_share").row(0, named=True)
    plain, with_co2 = what_if_inputs(series, taxi), what_if_inputs(series, taxi, 9.5)
    assert "year_co2_t" not in crossing_fields(plain)
    assert "year_co2_t" in crossing_fields(with_co2)
    assert "吨CO2" not in crossing_text(plain.param_name, Words("zh"))
    assert "t CO2 saved in the next 12 months" in crossing_text(
        with_co2.param_name, Words("en"), with_co2=True
    )


def test_indicator_kind_comes_from_reference_targets():
    monthly = pl.DataFrame({"period": ["2025-01"]})
    kinds = pl.DataFrame({"indicator_id": ["new_share"], "kind": ["survey"]})
    assert indicator_kind("new_share", monthly, kinds) == "survey"  # periods would say fleet
    assert indicator_kind("other", monthly, kinds) == "fleet"  # not a target: by its periods
    assert indicator_kind("new_share", pl.DataFrame({"period": ["2025"]}), None) == "registrations"
