"""The pseudonym-key fingerprint the previous publication recorded in `audit.runs`."""

from __future__ import annotations

from pathlib import Path

import duckdb

PREVIOUS_FINGERPRINT_SQL = """
select key_fingerprint from audit.runs
where published
order by ended_at desc nulls last, started_at desc nulls last
limit 1
"""


def previous_key_fingerprint(published: Path) -> str | None:
    """The fingerprint of the newest published run in the published warehouse; None when there
    is none, when that run did not record one (an older release), or when the file cannot be
    read (the run then cannot compare keys, and publishing replaces the file anyway)."""
    if not published.is_file():
        return None
    try:
        with duckdb.connect(str(published), read_only=True) as con:
            has_column = con.execute(
                "select count(*) from duckdb_columns() where schema_name = 'audit' "
                "and table_name = 'runs' and column_name = 'key_fingerprint'"
            ).fetchone()[0]
            if not has_column:
                return None
            row = con.execute(PREVIOUS_FINGERPRINT_SQL).fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None
