"""The dashboard's fingerprint covers every warehouse table the drawing code names, so a
change in a table the page reads is never mistaken for an unchanged site."""

from __future__ import annotations

import re

from assets.dashboards.site_fingerprint import CODE_DIRS, LEDGER_TABLES, TABLE_SCHEMAS
from pipelines import project

WAREHOUSE_SCHEMAS = (
    "raw", "staging", "intermediate", "marts", "metrics", "reference", "quality", "audit",
    "survey_external",
)  # fmt: skip
TABLE_NAME = re.compile(rf"\b({'|'.join(WAREHOUSE_SCHEMAS)})\.([a-z_][a-z0-9_]*)\b")


def tables_named_by_site_code() -> set[str]:
    named = set()
    for directory in CODE_DIRS:
        paths = (project.REPO_ROOT / directory).rglob("*")
        for path in (p for p in paths if p.suffix in (".py", ".sql")):
            named |= {f"{s}.{t}" for s, t in TABLE_NAME.findall(path.read_text("utf-8"))}
    return named


def test_every_table_the_site_code_names_is_in_the_site_fingerprint():
    named = tables_named_by_site_code()
    assert "intermediate.int_targets__trend" in named  # the scan finds what the page reads
    assert "dbt_like_sql/dashboard" in CODE_DIRS  # the page's views (assets/dashboards/views.py)
    uncovered = {t for t in named if t.split(".")[0] not in TABLE_SCHEMAS} - set(LEDGER_TABLES)
    assert not uncovered, f"read by the dashboard but not fingerprinted: {sorted(uncovered)}"


def test_the_scan_would_report_a_table_outside_the_fingerprint():
    sample = "select * from raw.registrations join marts.dim_vehicle using (x)"
    found = {f"{s}.{t}" for s, t in TABLE_NAME.findall(sample)}
    assert found == {"raw.registrations", "marts.dim_vehicle"}
    assert {t for t in found if t.split(".")[0] not in TABLE_SCHEMAS} == {"raw.registrations"}
