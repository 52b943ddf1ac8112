"""Source freshness: is the newest accepted file of each source younger than its cadence allows?

Freshness is an operational signal about today, so it is the one place that reads the clock;
no published metric depends on it. Survey waves have no file date: their freshness is the
wave year's end (docs/indicators.md: a wave's period_end is 31 December of its year).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import yaml

from pipelines import project
from pipelines.warehouse import table_exists

NEWEST_SQL = """
select source, max(coalesce(file_date, make_date(
    try_cast(regexp_extract(file_name, 'surveys/(\\d{4})', 1) as integer), 12, 31)))
from audit.source_files
where status = 'accepted' and coalesce(is_current, true)
group by source
"""


def cadences() -> dict[str, dict]:
    text = (project.REFERENCE_DIR / "source_cadence.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)["sources"]


def source_freshness(con: duckdb.DuckDBPyConnection, today: dt.date) -> list[dict]:
    """One row per configured source: newest file date, age in days, stale or not."""
    newest = (
        dict(con.execute(NEWEST_SQL).fetchall()) if table_exists(con, "audit.source_files") else {}
    )
    rows = []
    for source, rule in cadences().items():
        date = newest.get(source)
        age = (today - date).days if date else None
        rows.append(
            {
                "source": source,
                "cadence": rule["cadence"],
                "newest_file_date": date,
                "age_days": age,
                "max_age_days": rule["max_age_days"],
                "stale": age is None or age > rule["max_age_days"],
            }
        )
    return rows
