"""The machine-readable copy of every number the page shows (embedded and data/numbers.json).

`targets` holds each metrics.target_gap row as read plus the text shown for it; `series` holds
the metrics.indicator_values rows behind each trend chart.
"""

from __future__ import annotations

import polars as pl

from assets.dashboards.chart_data import records
from assets.dashboards.html_parts import shown_fields
from assets.dashboards.labels import Words

SERIES_COLUMNS = (
    "period",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "sample_size",
    "ci_low",
    "ci_high",
)


def numbers_document(
    targets: pl.DataFrame,
    values: pl.DataFrame,
    words: Words,
    chart_ids: list[str],
    omitted: dict[str, str],
) -> dict:
    columns = [c for c in SERIES_COLUMNS if c in values.columns]
    series = {
        indicator: records(values.filter(pl.col("indicator_id") == indicator).select(columns))
        for indicator in values["indicator_id"].unique(maintain_order=True).to_list()
    }
    rows = records(targets)
    for row, raw in zip(rows, targets.iter_rows(named=True), strict=True):
        row["shown"] = shown_fields(raw, words)
    return {
        "language": words.lang,
        "targets": rows,
        "series": series,
        "charts": chart_ids,
        "omitted": omitted,
    }
