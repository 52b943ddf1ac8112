"""New public vehicles per year by category (official, sanitation, postal, taxi) and electric."""

from __future__ import annotations

import altair as alt
import polars as pl

from assets.dashboards.chart_data import inline
from assets.dashboards.labels import CATEGORY_WORDS, Words

ELECTRIC_COLOURS = ("#2e7d32", "#bdbdbd")


def category_chart(frame: pl.DataFrame, words: Words) -> alt.FacetChart:
    """One small panel per category: vehicles first registered per year, stacked by electric."""
    electric, other = words.text("电动", "electric"), words.text("非电动", "not electric")
    rows = frame.with_columns(
        pl.col("vehicle_category")
        .map_elements(words.category, return_dtype=pl.Utf8)
        .alias("category_label"),
        pl.when(pl.col("is_electric"))
        .then(pl.lit(electric))
        .otherwise(pl.lit(other))
        .alias("electric_label"),
    )
    categories = [words.category(c) for c in CATEGORY_WORDS]
    vehicles = words.text("辆", "vehicles")
    return (
        alt.Chart(inline(rows))
        .mark_bar()
        .encode(
            x=alt.X("period:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("sum(vehicles):Q", title=words.text("新增车辆（辆）", "New vehicles")),
            color=alt.Color(
                "electric_label:N",
                title=words.text("是否电动", "Electric"),
                scale=alt.Scale(domain=[electric, other], range=list(ELECTRIC_COLOURS)),
            ),
            order=alt.Order("is_electric:N", sort="descending"),
            tooltip=[
                alt.Tooltip("period:O", title=words.text("年份", "Year")),
                alt.Tooltip("category_label:N", title=words.text("类别", "Category")),
                alt.Tooltip("electric_label:N", title=words.text("是否电动", "Electric")),
                alt.Tooltip("sum(vehicles):Q", title=vehicles),
            ],
        )
        .properties(width=150, height=200)
        .facet(
            column=alt.Column(
                "category_label:N",
                title=None,
                sort=categories,
                header=alt.Header(labelFontSize=12),
            )
        )
        .properties(title=words.text("新增公共领域车辆按类别", "New public vehicles by category"))
    )
