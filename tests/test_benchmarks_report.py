"""The benchmark table: goal verdicts and the GX share are computed as stated, by hand."""

from __future__ import annotations

from benchmarks.measure import peak_by_step
from benchmarks.report import goal_rows, write_report
from benchmarks.run import stage_totals


def _results(wall_1=25.0, wall_10=170.0, rss_10=3000.0) -> dict:
    def scale(value, wall, rss, stages):
        return {
            "scale": value,
            "run": {"exit_code": 0, "wall_seconds": wall, "peak_rss_mb": rss},
            "stages": stages,
            "registrations": {
                "ratio": 4.0,
                "ours_seconds": 8.0,
                "duckdb_read_csv_seconds": 2.0,
                "gb18030_decode_seconds": 1.0,
                "hmac_seconds": 3.0,
                "floor_ratio": 3.0,
                "rows": 1000,
            },
        }

    ten = {
        "ingest registrations": 20.0,
        "ingest gtfs": 10.0,
        "checks (Great Expectations, sources)": 6.0,
        "checks (Great Expectations, models)": 4.0,
        "sql marts": 5.0,
    }
    return {
        "date": "2026-11-26",
        "machine": {"cpus": 2, "python": "3.11"},
        "scales": [
            scale(1, wall_1, 900.0, {"ingest registrations": 2.0}),
            scale(10, wall_10, rss_10, ten),
        ],
        "gtfs": {"skipped": "no feed"},
    }


def test_stage_totals_split_gx_by_source_and_model_suites():
    stages = stage_totals(
        {
            "raw__registrations": 2.0,
            "raw__registrations_gx_suite": 1.5,
            "marts__dim_vehicle_gx_suite": 0.5,
            "marts__dim_vehicle": 1.0,
            "raw_surveys": 0.25,
        }
    )
    assert stages == {
        "checks (Great Expectations, models)": 0.5,
        "checks (Great Expectations, sources)": 1.5,
        "ingest raw_surveys": 0.25,
        "ingest registrations": 2.0,
        "sql marts": 1.0,
    }


def test_gx_share_is_source_checks_over_ingest_including_them():
    (share,) = [r for r in goal_rows(_results()) if r.startswith("| Great Expectations")]
    # 6 / (20 + 10 + 6) = 16.7 %; with the model suites (6 + 4) / (30 + 10) = 25 %
    assert "| 17% (6.0 s GX on raw.* / 36.0 s ingest incl. GX)" in share
    assert "every suite incl. models: 25% (10.0 s)" in share
    assert "✅ met" in share


def test_unmet_goals_name_their_bottleneck():
    rows = goal_rows(_results(wall_1=31.0, rss_10=4100.0))
    registrations = rows[0]
    assert "❌ not met" in registrations and "floor at 3.0" in registrations
    (one,) = [r for r in rows if r.startswith("| scale 1,")]
    assert "❌ not met" in one and "outside steps (imports, Dagster orchestration) 29.0 s" in one
    (ten,) = [r for r in rows if r.startswith("| scale 10 |")]
    assert "❌ not met" in ten and "no per-step memory samples" in ten  # over 4 GB only
    (slow,) = [r for r in goal_rows(_results(wall_10=200.0)) if r.startswith("| scale 10 |")]
    assert "❌ not met" in slow and "slowest: ingest registrations 20.0 s" in slow
    assert "20.0 s (the contract's HMACs and the Python GB18030 decode)" in slow  # and why
    assert "memory" not in slow


def test_report_replaces_only_the_marked_block(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- results:begin -->\nOLD TABLE\n<!-- results:end -->\noutro\n")
    write_report(_results(), readme)
    text = readme.read_text()
    assert text.startswith("intro\n<!-- results:begin -->\nMeasured 2026-11-26 on 2 cores")
    assert text.endswith("<!-- results:end -->\noutro\n") and "OLD TABLE" not in text


def test_same_day_runs_merge_by_scale(tmp_path):
    from benchmarks.run import merge_same_day

    out = tmp_path / "2026-11-26.json"
    earlier = _results()
    out.write_text(__import__("json").dumps(earlier))
    later = _results(wall_10=99.0) | {"scales": [_results(wall_10=99.0)["scales"][1]]}
    later["scales"][0] = later["scales"][0] | {"scale": 100}
    merged = merge_same_day(out, later)
    assert [s["scale"] for s in merged["scales"]] == [1, 10, 100]
    assert merged["scales"][1]["run"]["wall_seconds"] == 170.0


def test_a_failed_probe_is_reported_not_fatal():
    results = _results()
    results["scales"][0]["registrations"] = {"error": "BrokenProcessPool: killed"}
    rows = goal_rows(results)
    assert rows[0].startswith("| registrations ingest ÷ DuckDB read_csv (scale 1) | ≤ 2.5 |")
    assert "probe failed | ❌ not met | BrokenProcessPool: killed |" in rows[0]


def test_gx_share_not_met_names_the_slowest_source_suites():
    results = _results()
    ten = results["scales"][1]
    ten["stages"]["checks (Great Expectations, sources)"] = 15.0  # 15 / 45 = 33 %
    ten["run"]["step_seconds"] = {
        "raw__registrations_gx_suite": 9.5,
        "raw__gtfs_stop_times_gx_suite": 2.75,
        "marts__dim_vehicle_gx_suite": 3.8,
        "raw__bus_fleet_gx_suite": 0.5,
        "raw__taxi_fleet_gx_suite": 0.25,
    }
    (share,) = [r for r in goal_rows(results) if r.startswith("| Great Expectations")]
    assert "| 33% (15.0 s GX on raw.* / 45.0 s ingest incl. GX)" in share
    assert "❌ not met" in share
    assert (
        "slowest source suites: raw.registrations 9.5 s, raw.gtfs_stop_times 2.8 s, "
        "raw.bus_fleet 0.5 s;" in share
    )


def test_scale_100_not_run_is_a_row_that_says_what_blocks_it():
    (row,) = [r for r in goal_rows(_results(rss_10=3000.0)) if r.startswith("| scale 100")]
    assert "| not run | — not measured |" in row
    assert "scale 10 peaked at 2.9 GB" in row  # 3000 / 1024
    assert "GTFS tables" in row and "survey files are still read whole" in row


def test_scale_10_over_its_memory_names_the_hungriest_steps():
    results = _results(wall_10=170.0, rss_10=5000.0)
    results["scales"][1]["run"]["step_peak_rss_mb"] = {
        "raw__registrations": 4900.0,
        "marts__dim_vehicle": 3072.0,
        "survey_analytics": 2048.0,
        "dashboards__site": 1024.0,
    }
    (row,) = [r for r in goal_rows(results) if r.startswith("| scale 10 |")]
    assert "| 170.0 s, 5000.0 MB | ❌ not met |" in row
    assert (
        "most memory: raw__registrations 4.8 GB, marts__dim_vehicle 3.0 GB, "
        "survey_analytics 2.0 GB |" in row
    )
    assert "slowest" not in row  # 170 s is within its 3 minutes


def test_peak_by_step_takes_the_samples_inside_each_window():
    samples = [(10.0, 100.0), (10.5, 300.0), (11.0, 250.0), (12.0, 900.0), (13.5, 50.0)]
    windows = {"a": [10.0, 11.0], "b": [11.5, 12.5], "c": [12.6, 12.9]}
    assert peak_by_step(samples, windows) == {"a": 300.0, "b": 900.0}


def test_memory_table_lists_the_top_steps_per_scale(tmp_path):
    results = _results()
    results["scales"][1]["run"]["step_peak_rss_mb"] = {"x": 10.0, "y": 2500.4, "z": 700.0}
    table = write_report(results, tmp_path / "README.md")
    assert "Highest resident memory by step (MB; the run's RSS sampled every 0.1 s" in table
    assert "- scale 10: y 2500, z 700, x 10" in table
    assert "- scale 1:" not in table  # no samples recorded for it


def test_a_history_only_run_rewrites_the_history_block_and_leaves_the_scales_block(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(
        "intro\n<!-- results:begin -->\nSCALES TABLE\n<!-- results:end -->\n"
        "middle\n<!-- history:begin -->\nOLD HISTORY\n<!-- history:end -->\noutro\n"
    )
    run = {"exit_code": 0, "wall_seconds": 10.0, "peak_rss_mb": 100.0, "published_mb": 10.0}
    history = {
        "scale": 1.0,
        "first_run": run,
        "rerun_unchanged": {**run, "wall_seconds": 2.0},
        "eleven_snapshots_first_run": run,
        "twelfth_snapshot_night": {**run, "wall_seconds": 12.0},
    }
    results = {**_results(), "scales": [], "history": [history]}
    write_report(results, readme)
    text = readme.read_text()
    assert "SCALES TABLE" in text and "OLD HISTORY" not in text
    assert text.startswith("intro\n<!-- results:begin -->\nSCALES TABLE\n<!-- results:end -->\n")
    assert "<!-- history:begin -->\nMeasured 2026-11-26 on 2 cores" in text
    assert text.endswith("<!-- history:end -->\noutro\n")
    assert "| 1 | rerun ÷ first run (wall) | ≤ 0.25 | 0.2 | ✅ met |" in text  # 2 s ÷ 10 s
