"""The trend projection drawn on each indicator's chart.

The line itself is fitted once, in intermediate.int_targets__trend (the same fit behind
metrics.target_gap's projected_at_deadline); this module only turns that row into the two
points drawn: from the first value of the trend window to the deadline, clamped to [0, 1].
"""

from __future__ import annotations

from datetime import date

import polars as pl


def projected_share(trend: dict, day: date) -> float:
    """The trend line's value on `day`, clamped to [0, 1]."""
    days_from_deadline = (day - trend["deadline"]).days
    value = trend["value_at_deadline"] + trend["slope_per_day"] * days_from_deadline
    return min(1.0, max(0.0, value))


def projection_points(trend: dict | None) -> pl.DataFrame:
    """Two points (window start, deadline) of the projection; empty when it does not apply:
    no trend row, fewer than 2 values, or values past the deadline already."""
    empty = pl.DataFrame(schema={"period_end": pl.Date, "projected": pl.Float64})
    if trend is None or trend["points"] < 2 or trend["window_end"] > trend["deadline"]:
        return empty
    ends = [trend["window_start"], trend["deadline"]]
    return pl.DataFrame(
        {"period_end": ends, "projected": [projected_share(trend, d) for d in ends]}
    )


def target_trend(trends: pl.DataFrame | None, target: dict) -> dict | None:
    """The trend row of one target (indicator and deadline), if there is one."""
    if trends is None:
        return None
    rows = trends.filter(
        (pl.col("indicator_id") == target["indicator_id"])
        & (pl.col("deadline") == target["deadline"])
    )
    return rows.row(0, named=True) if rows.height else None
