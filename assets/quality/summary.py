"""The data-quality lines of the run summary (`greentrack run` prints them; see the runner).

One line with suites, expectations, GX time and failures, then one line per failed
expectation, ERROR first. Read from `quality.suite_runs` and `quality.validation_results`
of the file the runner is reporting on (published on success, the work file on failure).
"""

from __future__ import annotations

import json

import duckdb

from pipelines.warehouse import table_exists

FAILED_LISTED = 10
EXAMPLE_CHARS = 120


def quality_summary(con: duckdb.DuckDBPyConnection) -> str:
    if not table_exists(con, "quality.suite_runs"):
        return "Quality: no suite ran"
    ((suites, expectations, gx_seconds, fetch_seconds),) = con.execute(
        "select count(*), coalesce(sum(expectations), 0), coalesce(sum(gx_seconds), 0), "
        "coalesce(sum(fetch_seconds), 0) from quality.suite_runs"
    ).fetchall()
    failed = con.execute(
        'select severity, suite, "column", coalesce(error, why, expectation), unexpected_count, '
        "unexpected_sample from quality.validation_results where not success "
        "order by severity = 'WARN', suite, expectation, \"column\""
    ).fetchall()
    errors = sum(1 for row in failed if row[0] == "ERROR")
    lines = [
        f"Quality: {suites} suites, {expectations} expectations, GX {gx_seconds:.1f} s "
        f"(fetch {fetch_seconds:.1f} s); failed: {errors} ERROR, {len(failed) - errors} WARN"
    ]
    for severity, suite, column, reason, count, sample in failed[:FAILED_LISTED]:
        shown = json.loads(sample) if sample else []
        counted = "" if count is None else f" ({count} rows)"
        example = json.dumps(shown[0], ensure_ascii=False)[:EXAMPLE_CHARS] if shown else ""
        lines.append(
            f"  [{severity}] {suite} {column}: {reason}{counted}"
            + (f"; e.g. {example}" if example else "")
        )
    if len(failed) > FAILED_LISTED:
        lines.append(f"  … {len(failed) - FAILED_LISTED} more in quality.validation_results")
    return "\n".join(lines)
