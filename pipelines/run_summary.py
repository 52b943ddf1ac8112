"""What `greentrack run` and `greentrack status` print: per-source accounting and the gap table."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import duckdb

from pipelines.warehouse import table_exists

SOURCE_SQL = """
select source,
       count(*) as files,
       count(*) filter (where status = 'rejected') as rejected,
       sum(rows_read) as rows_read,
       sum(rows_loaded) as rows_loaded,
       sum(rows_quarantined) as quarantined,
       sum(warnings) as warnings,
       round(sum(seconds), 2) as seconds
from audit.source_files
where is_current
group by source
order by source
"""
GAP_SQL = """
select indicator_id, latest_period,
       round(latest_value * 100, 1) as "latest %",
       round(target_value * 100, 1) as "target %",
       round(gap_pp, 1) as gap_pp,
       status,
       round(projected_at_deadline * 100, 1) as "projected %",
       units_to_close, as_of
from metrics.target_gap
order by indicator_id
"""


def display_width(text: str) -> int:
    """Columns a terminal gives the text: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def format_table(columns: list[str], rows: list[tuple]) -> str:
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [
        max([display_width(c)] + [display_width(r[i]) for r in cells])
        for i, c in enumerate(columns)
    ]
    line = "  ".join(_pad(c, w) for c, w in zip(columns, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(_pad(v, w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join([line, rule, *body])


def _query(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    result = con.execute(sql)
    columns = [d[0] for d in result.description]
    return format_table(columns, result.fetchall())


def source_summary(con: duckdb.DuckDBPyConnection) -> str:
    if not table_exists(con, "audit.source_files"):
        return "(no audit.source_files)"
    text = _query(con, SOURCE_SQL)
    rejected = con.execute(
        "select file_name, reason from audit.source_files where status = 'rejected' "
        "and is_current order by file_name"
    ).fetchall()
    if rejected:
        text += "\n\nRejected files:\n" + "\n".join(f"  {f}: {r}" for f, r in rejected)
    return text + carried_summary(con) + ignored_summary(con)


def carried_summary(con: duckdb.DuckDBPyConnection) -> str:
    """Which sources took file versions from the version store, and why any read them again."""
    if not table_exists(con, "audit.source_ingest"):
        return ""
    rows = con.execute(
        "select source, files_ingested, files_carried, reingest_reason from audit.source_ingest "
        "where ingest_fingerprint is not null order by source"
    ).fetchall()
    if not rows:
        return ""
    lines = []
    for source, ingested, carried, reason in rows:
        line = f"  {source}: {carried} file(s) carried, {ingested} ingested"
        lines.append(line + (f" ({reason})" if reason else ""))
    return "\n\nFile versions already ingested (carried forward):\n" + "\n".join(lines)


def ignored_summary(con: duckdb.DuckDBPyConnection) -> str:
    """One warning listing every entry of data_raw/ that matched no source pattern."""
    if not table_exists(con, "audit.ignored_files"):
        return ""
    ignored = con.execute(
        "select file_name, why from audit.ignored_files order by file_name"
    ).fetchall()
    if not ignored:
        return ""
    lines = "\n".join(f"  {name}: {why}" for name, why in ignored)
    return (
        f"\n\nWARNING: {len(ignored)} entries in data_raw/ were not ingested "
        f"(only regular files named as docs/sources.md says are read):\n{lines}"
    )


def gap_table(con: duckdb.DuckDBPyConnection) -> str:
    if not table_exists(con, "metrics.target_gap"):
        return "(no metrics.target_gap in this warehouse)"
    return _query(con, GAP_SQL)


def rejected_files(path: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(path), read_only=True) as con:
        if not table_exists(con, "audit.source_files"):
            return []
        return con.execute(
            "select file_name, reason from audit.source_files "
            "where status = 'rejected' and is_current"
        ).fetchall()
