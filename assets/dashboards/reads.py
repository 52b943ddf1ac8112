"""Reading the warehouse for the page: every part degrades to a visible note.

Each part reads what one view of dbt_like_sql/dashboard/ selects (assets/dashboards/views.py).
When the select cannot run (a table it reads is absent, a column missing: DuckDB's binder says
which), the read returns no frame and a note that the page shows in place of the part.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import polars as pl

from assets.dashboards.views import DashboardView, read_views, why_not_read
from pipelines.warehouse import fetch_frame

INDICATOR_ORDER = (
    "bus_clean_share",
    "urban_taxi_nev_share",
    "new_public_vehicle_ev_share",
    "transit_mode_share",
    "green_travel_share",
)


@dataclass
class Reads:
    """Frames read from the warehouse (None when absent) and why some are absent."""

    frames: dict[str, pl.DataFrame | None] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> pl.DataFrame | None:
        return self.frames.get(name)


def read_all(
    con: duckdb.DuckDBPyConnection, views: dict[str, DashboardView] | None = None
) -> Reads:
    """Reads each view's select (default: every file of dbt_like_sql/dashboard/)."""
    views = read_views() if views is None else views
    result = Reads()
    for name, view in views.items():
        result.frames[name] = None
        try:
            result.frames[name] = fetch_frame(con, view.read_sql)
        except duckdb.Error as error:
            result.missing[name] = why_not_read(con, view, error)
    return result


def order_targets(target_gap: pl.DataFrame) -> pl.DataFrame:
    """The five plan targets first in plan order, any added targets after them by id."""
    rank = {indicator: i for i, indicator in enumerate(INDICATOR_ORDER)}
    return (
        target_gap.with_columns(
            pl.col("indicator_id")
            .replace_strict(rank, default=len(rank), return_dtype=pl.Int64)
            .alias("_rank")
        )
        .sort(["_rank", "indicator_id"])
        .drop("_rank")
    )
