"""The Markdown table of goals and measured figures, written into benchmarks/README.md."""

from __future__ import annotations

from pathlib import Path

BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def _scale(results: dict, scale: float) -> dict | None:
    return next((s for s in results["scales"] if s["scale"] == scale), None)


def _row(goal: str, target: str, measured: str, met: bool | None, note: str = "") -> str:
    verdict = {True: "✅ met", False: "❌ not met", None: "— not measured"}[met]
    return f"| {goal} | {target} | {measured} | {verdict} | {note} |"


def goal_rows(results: dict) -> list[str]:
    rows = []
    for scale in results["scales"]:
        reg = scale["registrations"]
        rows.append(
            _row(
                f"registrations ingest ÷ DuckDB read_csv (scale {scale['scale']:g})",
                "≤ 2.5",
                f"{reg['ratio']} ({reg['ours_seconds']} s vs {reg['duckdb_read_csv_seconds']} s; "
                f"GB18030 decode {reg['gb18030_decode_seconds']} s; {reg['rows']:,} rows)",
                reg["ratio"] is not None and reg["ratio"] <= 2.5,
            )
        )
    one, ten, hundred = (_scale(results, s) for s in (1, 10, 100))
    if one:
        wall = one["run"]["wall_seconds"]
        rows.append(
            _row(
                "scale 1, full `greentrack run`",
                "≤ 30 s wall",
                f"{wall} s",
                wall <= 30 and one["run"]["exit_code"] in (0, 3),
            )
        )
    if ten:
        wall, rss = ten["run"]["wall_seconds"], ten["run"]["peak_rss_mb"]
        rows.append(
            _row(
                "scale 10",
                "≤ 3 min wall, peak RSS ≤ 4 GB",
                f"{wall} s, {rss} MB",
                wall <= 180 and rss <= 4096 and ten["run"]["exit_code"] in (0, 3),
            )
        )
        checks, ingest = (
            ten["stages"].get("checks (Great Expectations)", 0.0),
            sum(v for k, v in ten["stages"].items() if k.startswith("ingest")),
        )
        share = checks / ingest if ingest else None
        rows.append(
            _row(
                "Great Expectations share of ingest time, scale 10",
                "≤ 25%",
                f"{share:.0%} ({checks:.1f} s checks / {ingest:.1f} s ingest)"
                if share is not None
                else "n/a",
                share is not None and share <= 0.25,
            )
        )
    if hundred:
        rss = hundred["run"]["peak_rss_mb"]
        rows.append(
            _row(
                "scale 100",
                "completes, peak RSS ≤ 8 GB",
                f"exit {hundred['run']['exit_code']}, {hundred['run']['wall_seconds']} s, {rss} MB",
                hundred["run"]["exit_code"] in (0, 3) and rss <= 8192,
            )
        )
    gtfs = results.get("gtfs") or {}
    if gtfs.get("ratio") is not None:
        rows.append(
            _row(
                f"GTFS trip+route stats ours ÷ gtfs-kit ({gtfs['feed']})",
                "≤ 0.05, identical trips per route",
                f"{gtfs['ratio']} ({gtfs['ours_seconds']} s vs "
                f"{gtfs['gtfs_kit_seconds']} s); trips per route identical: "
                f"{gtfs['trips_per_route_identical']}",
                gtfs["ratio"] <= 0.05 and gtfs["trips_per_route_identical"],
            )
        )
    else:
        rows.append(
            _row(
                "GTFS trip+route stats ours ÷ gtfs-kit",
                "≤ 0.05",
                "n/a",
                None,
                gtfs.get("skipped", ""),
            )
        )
    return rows


def stage_table(results: dict) -> list[str]:
    stages = sorted({k for s in results["scales"] for k in s["stages"]})
    head = "| stage | " + " | ".join(f"scale {s['scale']:g} (s)" for s in results["scales"]) + " |"
    rule = "|---|" + "---|" * len(results["scales"])
    body = [
        f"| {stage} | "
        + " | ".join(str(s["stages"].get(stage, "")) for s in results["scales"])
        + " |"
        for stage in stages
    ]
    return [head, rule, *body]


def write_report(results: dict, readme: Path) -> str:
    lines = [
        f"Measured {results['date']} on {results['machine']['cpus']} cores, "
        f"Python {results['machine']['python']}.",
        "",
        "| goal | target | measured | verdict | note |",
        "|---|---|---|---|---|",
        *goal_rows(results),
        "",
        "Per-stage wall seconds (from Dagster's step statistics):",
        "",
        *stage_table(results),
    ]
    table = "\n".join(lines)
    text = readme.read_text(encoding="utf-8") if readme.exists() else f"{BEGIN}\n{END}\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    readme.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}", encoding="utf-8")
    return table
