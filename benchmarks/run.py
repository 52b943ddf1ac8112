"""`make bench` / `make bench-quick`: generate each scale, measure, write JSON and a table.

Generation is timed but not counted. Results go to benchmarks/results/<date>.json and the
table between the markers in benchmarks/README.md. The goals are stated in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.gtfs_probe import gtfs_probe
from benchmarks.history import measure_history
from benchmarks.measure import in_child, registrations_probe_child, run_pipeline_child
from benchmarks.report import write_report
from pipelines.generate import generate_all

HERE = Path(__file__).resolve().parent


def stage_totals(step_seconds: dict[str, float]) -> dict[str, float]:
    """Group step seconds into stages: ingest per source, SQL by layer, checks, publish."""
    stages: dict[str, float] = {}
    for step, seconds in step_seconds.items():
        if "gx_suite" in step and step.startswith("raw__"):
            stage = "checks (Great Expectations, sources)"
        elif "gx_suite" in step:
            stage = "checks (Great Expectations, models)"
        elif "freshness" in step or "reconciliation" in step:
            stage = "checks (other)"
        elif step.startswith("raw__") and step.count("__") == 1 or step == "raw_surveys":
            stage = f"ingest {step.removeprefix('raw__')}"
        elif step.startswith("raw_gtfs") or step.startswith("raw__gtfs"):
            stage = "ingest gtfs"
        elif step.split("__")[0] in ("staging", "intermediate", "marts", "metrics"):
            stage = f"sql {step.split('__')[0]}"
        else:
            stage = step
        stages[stage] = round(stages.get(stage, 0.0) + seconds, 3)
    return dict(sorted(stages.items()))


def measure_scale(scale: float, scratch: Path) -> dict:
    data_raw = scratch / f"scale_{scale:g}" / "data_raw"
    started = time.perf_counter()
    in_child(generate_all, data_raw, scale=scale, seed=42, defect_rate=0.01)
    generation = time.perf_counter() - started
    run = run_pipeline_child(data_raw, data_raw.parent)
    result = {
        "scale": scale,
        "generation_seconds_not_counted": round(generation, 1),
        "run": run,
        "stages": stage_totals(run["step_seconds"]),
        "registrations": registrations_probe_child(data_raw),
    }
    shutil.rmtree(data_raw.parent, ignore_errors=True)
    return result


def merge_same_day(out: Path, results: dict) -> dict:
    """Keep the scales an earlier run of the same day measured and this one did not, so
    `--scales 100` after `make bench-quick` completes one table instead of replacing it."""
    if not out.exists():
        return results
    earlier = json.loads(out.read_text(encoding="utf-8"))
    if earlier.get("machine") != results["machine"]:
        return results
    measured = {s["scale"] for s in results["scales"]}
    kept = [s for s in earlier.get("scales", []) if s["scale"] not in measured]
    merged = sorted(kept + results["scales"], key=lambda s: s["scale"])
    history_measured = {h["scale"] for h in results.get("history", [])}
    history = [h for h in earlier.get("history", []) if h["scale"] not in history_measured]
    history = sorted(history + results.get("history", []), key=lambda h: h["scale"])
    merged_results = earlier | results | {"scales": merged}
    return merged_results | ({"history": history} if history else {})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="*", default=[1, 10, 100])
    parser.add_argument(
        "--history-scales",
        type=float,
        nargs="*",
        default=[],
        help='scales of the "history" scenario (benchmarks/history.py): first run, rerun, '
        "the night of the 12th monthly snapshot",
    )
    parser.add_argument("--results-dir", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    results = {
        "date": dt.date.today().isoformat(),
        "machine": {
            "cpus": __import__("os").cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "scales": [],
    }
    with tempfile.TemporaryDirectory(prefix="greentrack-bench-") as scratch:
        for scale in args.scales:
            print(f"scale {scale:g} …", flush=True)
            results["scales"].append(measure_scale(scale, Path(scratch)))
        for scale in args.history_scales:
            print(f"history, scale {scale:g} …", flush=True)
            results.setdefault("history", []).append(measure_history(scale, Path(scratch)))
    if args.scales:
        results["gtfs"] = gtfs_probe()
    args.results_dir.mkdir(parents=True, exist_ok=True)
    out = args.results_dir / f"{results['date']}.json"
    results = merge_same_day(out, results)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    table = write_report(results, HERE / "README.md")
    print(table)
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
