"""Freshness checks per source (WARN): a stale source shows in the Dagster UI."""

import datetime as dt

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.operations.freshness import source_freshness

SOURCE_ASSETS = {
    "registrations": ["raw", "registrations"],
    "bus_fleet": ["raw", "bus_fleet"],
    "taxi_fleet": ["raw", "taxi_fleet"],
    "surveys": ["raw", "survey_trips"],
}


def _freshness_check(source: str, asset_key: list[str]) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(asset_key),
        name=f"{source}_freshness",
        blocking=True,  # WARN never blocks; blocking=True makes publication wait for it
        description=f"Newest accepted {source} file is within its cadence "
        "(reference/source_cadence.yaml).",
    )
    def check(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as con:
            rows = source_freshness(con, dt.date.today())
        row = next(r for r in rows if r["source"] == source)
        return dg.AssetCheckResult(
            passed=not row["stale"],
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "newest_file_date": str(row["newest_file_date"]),
                "age_days": row["age_days"] if row["age_days"] is not None else -1,
                "max_age_days": row["max_age_days"],
                "cadence": row["cadence"],
            },
        )

    return check


def freshness_checks(extra: dict[str, list[str]] | None = None) -> list:
    sources = SOURCE_ASSETS | (extra or {})
    return [_freshness_check(source, key) for source, key in sources.items()]
