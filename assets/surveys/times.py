"""Survey clock times: `HH:MM`, where a time past midnight is written past 24:00 (`24:35`)."""

from __future__ import annotations

import polars as pl

CLOCK = r"^(\d{1,2}):(\d{2})$"


def clock_minutes_expr(expr: pl.Expr) -> pl.Expr:
    """Minutes since the start of the survey day; null when blank or not `H:MM`/`HH:MM`."""
    hours = expr.str.extract(CLOCK, 1).cast(pl.Int64)
    minutes = expr.str.extract(CLOCK, 2).cast(pl.Int64)
    valid = (minutes < 60) & (hours < 48)
    return pl.when(valid).then(hours * 60 + minutes)
