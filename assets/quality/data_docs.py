"""Static, offline data docs: one HTML page per suite plus an index, under the site's work dir.

GX's own Data Docs load Bootstrap, jQuery and fonts from CDNs, which the bureau's offline
machines cannot reach; these pages are rendered from the same GX validation results (as
stored in `quality.validation_results`) with inline CSS only: no scripts, no external links.
They land in `<site work dir>/quality/` and are published with the dashboard site.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb

from assets.dashboards.markup import escape
from assets.publish.assets import site_work_dir

STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.ok{color:#1a7f37}.WARN{color:#9a6700}.ERROR{color:#cf222e;font-weight:600}
code{font-size:.85rem;word-break:break-all}
"""
SUITE_SQL = """
select suite, passed, severity, expectations, failed_error, failed_warn, rows_validated,
    gx_seconds, fetch_seconds
from quality.suite_runs where run_id = ? order by suite
"""
RESULTS_SQL = """
select success, severity, "column", expectation, coalesce(error, why, ''), unexpected_count,
    unexpected_sample, files
from quality.validation_results where run_id = ? and suite = ?
order by success, severity, expectation, "column"
"""


def docs_dir() -> Path:
    return site_work_dir() / "quality"


def _e(value) -> str:
    return escape(value)


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>\n"
    )


def _verdict(passed: bool, severity: str) -> str:
    if passed:
        return '<span class="ok">passed</span>'
    return f'<span class="{_e(severity)}">failed</span>'


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def suite_page(run_id: str, suite: tuple, results: list[tuple]) -> str:
    name, passed, severity, _, _, _, rows_validated, gx_seconds, fetch_seconds = suite
    rows = [
        [
            _verdict(success, level),
            _e(level),
            _e(column),
            f"<code>{_e(expectation)}</code>",
            _e(rule),
            _e(count),
            f"<code>{_e(sample if json.loads(sample or '[]') else '')}</code>",
            _e(", ".join(json.loads(files or "[]"))),
        ]
        for success, level, column, expectation, rule, count, sample, files in results
    ]
    header = ["result", "severity", "column", "expectation", "rule", "unexpected", "sample"]
    body = (
        f"<p><a href='index.html'>← all suites</a></p><h1>{_e(name)}</h1>"
        f"<p>Run <code>{_e(run_id)}</code>: {rows_validated} rows validated, "
        f"{_verdict(passed, severity)} ({_e(severity)}); GX {gx_seconds:.2f} s, "
        f"fetch {fetch_seconds:.2f} s.</p>" + _table([*header, "files"], rows)
    )
    return _page(f"{name} · data quality", body)


def index_page(run_id: str, suites: list[tuple]) -> str:
    rows = [
        [
            f"<a href='{_e(name)}.html'>{_e(name)}</a>",
            _verdict(passed, severity),
            str(expectations),
            str(errors),
            str(warns),
            str(validated),
            f"{seconds:.2f}",
        ]
        for name, passed, severity, expectations, errors, warns, validated, seconds, _ in suites
    ]
    total = sum(s[7] for s in suites)
    body = (
        "<h1>数据质量 · Data quality</h1>"
        f"<p>Run <code>{_e(run_id)}</code>: {len(suites)} suites, GX {total:.2f} s. "
        "ERROR failures block publication; WARN failures are reported and published.</p>"
        + _table(
            ["suite", "result", "expectations", "ERROR failed", "WARN failed", "rows", "GX s"],
            rows,
        )
    )
    return _page("数据质量 · Data quality", body)


def write_docs(con: duckdb.DuckDBPyConnection, run_id: str, directory: Path) -> list[Path]:
    """Replace `directory` with one page per suite of the run and an index; returns pages."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    suites = con.execute(SUITE_SQL, [run_id]).fetchall()
    pages = []
    for suite in suites:
        results = con.execute(RESULTS_SQL, [run_id, suite[0]]).fetchall()
        page = directory / f"{suite[0]}.html"
        page.write_text(suite_page(run_id, suite, results), encoding="utf-8")
        pages.append(page)
    index = directory / "index.html"
    index.write_text(index_page(run_id, suites), encoding="utf-8")
    return [index, *pages]
