"""Frames to the inline rows a chart carries: dates as ISO text, NaN as null.

Charts carry plain rows (not a frame) so the tests can compare a chart's data with the table
it came from, row by row.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

import altair as alt
import polars as pl


def _plain(value):
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Decimal):  # DuckDB sums and exact shares arrive as decimals
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def records(frame: pl.DataFrame) -> list[dict]:
    return [
        {key: _plain(value) for key, value in row.items()} for row in frame.iter_rows(named=True)
    ]


def inline(frame: pl.DataFrame) -> alt.Data:
    return alt.Data(values=records(frame))
