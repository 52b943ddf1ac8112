"""Carbon charts: the fleets' CO2 month by month, the CO2 their clean vehicles avoid, and the
CO2 a year each fleet target's gap leaves on the table. Every bar or line carries its low-high
band: the factors behind it are ranges, not points."""

from __future__ import annotations

import altair as alt
import polars as pl

from assets.dashboards import theme
from assets.dashboards.chart_data import inline
from assets.dashboards.labels import Words

FLEET_WORDS = {"bus": ("公交车", "buses"), "taxi": ("市区巡游出租车", "urban taxis")}
TONNES_FORMAT = ",.1f"


def fleet_rows(monthly: pl.DataFrame, words: Words) -> pl.DataFrame:
    labels = {fleet: words.pair(pair) for fleet, pair in FLEET_WORDS.items()}
    return monthly.with_columns(
        pl.col("fleet").replace_strict(labels, default=pl.col("fleet")).alias("fleet_label")
    )


def _banded(rows: pl.DataFrame, value: str, words: Words, title: str) -> alt.LayerChart:
    base = alt.Chart(inline(rows))
    x = theme.utc_x("period_end", words.text("月份", "Month"))
    colour = alt.Color("fleet_label:N", title=words.text("车队", "Fleet"))
    band = base.mark_area(opacity=0.2).encode(
        x=x, y=f"{value}_low:Q", y2=f"{value}_high:Q", color=colour
    )
    line = base.mark_line(point=True).encode(
        x=x,
        y=alt.Y(f"{value}:Q", title=words.text("吨 CO2", "t CO2")),
        color=colour,
        tooltip=[
            alt.Tooltip("period:N", title=words.text("月份", "Month")),
            alt.Tooltip("fleet_label:N", title=words.text("车队", "Fleet")),
            alt.Tooltip(f"{value}:Q", title=words.text("中值", "central"), format=TONNES_FORMAT),
            alt.Tooltip(f"{value}_low:Q", title=words.text("下限", "low"), format=TONNES_FORMAT),
            alt.Tooltip(f"{value}_high:Q", title=words.text("上限", "high"), format=TONNES_FORMAT),
        ],
    )
    return alt.layer(band, line).properties(width=theme.CHART_WIDTH, height=220, title=title)


def trend_chart(monthly: pl.DataFrame, words: Words) -> alt.LayerChart:
    rows = fleet_rows(monthly, words).select(
        "period", "period_end", "fleet_label", "co2_t", "co2_t_low", "co2_t_high"
    )
    title = words.text("每月CO2排放（含电网因子）", "CO2 a month (grid electricity included)")
    return _banded(rows, "co2_t", words, title)


def avoided_chart(monthly: pl.DataFrame, words: Words) -> alt.LayerChart:
    rows = fleet_rows(monthly, words).select(
        "period",
        "period_end",
        "fleet_label",
        "co2_avoided_t",
        "co2_avoided_t_low",
        "co2_avoided_t_high",
    )
    title = words.text(
        "较全部传统燃料车队每月减少的CO2", "CO2 avoided a month vs. a conventional fleet"
    )
    return _banded(rows, "co2_avoided_t", words, title)


def gap_chart(gaps: pl.DataFrame, words: Words) -> alt.LayerChart:
    """One bar per fleet target: CO2 a year still on the table, with its low-high rule."""
    rows = gaps.select(
        pl.col("target_label"),
        "units_to_close",
        "co2_on_table_t",
        "co2_on_table_t_low",
        "co2_on_table_t_high",
    )
    base = alt.Chart(inline(rows))
    y = alt.Y("target_label:N", title=None)
    tonnes = words.text("吨 CO2/年", "t CO2 a year")
    bars = base.mark_bar(color=theme.SERIES_COLOUR).encode(
        y=y,
        x=alt.X("co2_on_table_t:Q", title=tonnes),
        tooltip=[
            alt.Tooltip("target_label:N", title=words.text("目标", "Target")),
            alt.Tooltip("units_to_close:Q", title=words.text("还需车辆", "vehicles to close")),
            alt.Tooltip("co2_on_table_t:Q", title=tonnes, format=TONNES_FORMAT),
            alt.Tooltip("co2_on_table_t_low:Q", title=words.text("下限", "low"), format=",.1f"),
            alt.Tooltip("co2_on_table_t_high:Q", title=words.text("上限", "high"), format=",.1f"),
        ],
    )
    rule = base.mark_rule(color=theme.INK, strokeWidth=2).encode(
        y=y, x="co2_on_table_t_low:Q", x2="co2_on_table_t_high:Q"
    )
    title = words.text("补齐目标差距每年可减少的CO2", "CO2 a year that closing each gap would save")
    return alt.layer(bars, rule).properties(width=theme.CHART_WIDTH, height=90, title=title)
