"""The trend projection drawn on each indicator's chart (indicators.md, projected_at_deadline).

A least-squares line through the last 12 monthly values (fleet), the last 3 yearly values
(registrations) or all waves (surveys, at least 2), with time measured in days of
`period_end`, drawn from the first value of that window to the deadline, clamped to [0, 1].
"""

from __future__ import annotations

from datetime import date

import polars as pl

WINDOW_BY_KIND = {"fleet": 12, "registrations": 3, "survey": None}


def fit_line(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Intercept and slope of the ordinary least-squares line."""
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return mean_y, 0.0
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    return mean_y - slope * mean_x, slope


def projection_points(series: pl.DataFrame, kind: str, deadline: date) -> pl.DataFrame:
    """Two points (window start, deadline) of the projection; empty when it does not apply."""
    empty = pl.DataFrame(schema={"period_end": pl.Date, "projected": pl.Float64})
    window = WINDOW_BY_KIND.get(kind, None)
    rows = series.drop_nulls("value").sort("period_end")
    if window is not None:
        rows = rows.tail(window)
    if rows.height < 2 or rows["period_end"].max() > deadline:
        return empty
    xs = [float(d.toordinal()) for d in rows["period_end"]]
    intercept, slope = fit_line(xs, rows["value"].to_list())
    ends = [rows["period_end"][0], deadline]
    values = [min(1.0, max(0.0, intercept + slope * d.toordinal())) for d in ends]
    return pl.DataFrame({"period_end": ends, "projected": values})
