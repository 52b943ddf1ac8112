"""Transit supply from the GTFS feeds, when the pipeline has built it: the clean-energy share
of scheduled bus-km, service per representative day of the newest feeds, stops by town."""

from __future__ import annotations

import json

import altair as alt
import polars as pl

from assets.dashboards import theme
from assets.dashboards.chart_data import inline
from assets.dashboards.labels import Words

DAY_TYPES = {"weekday": ("工作日", "weekday"), "saturday": ("周六", "Saturday"),
             "sunday": ("周日", "Sunday")}  # fmt: skip
MEASURES = {
    "trips": ("班次", "trips"),
    "bus_km": ("公交车公里", "bus-km"),
    "service_hours": ("运营小时", "service hours"),
}


def clean_share_chart(values: pl.DataFrame, words: Words) -> alt.Chart:
    share = words.text("新能源和清洁能源车公里占比", "Clean-energy share of bus-km")
    return (
        alt.Chart(inline(values.select("period", "period_end", "value")))
        .mark_line(point=True, color=theme.SERIES_COLOUR)
        .encode(
            x=theme.utc_x("period_end", words.text("时刻表发布日期", "Timetable date"), "%Y-%m"),
            y=alt.Y(
                "value:Q",
                title=share,
                axis=alt.Axis(format=theme.SHARE_AXIS_FORMAT),
                scale=alt.Scale(zero=True),
            ),
            tooltip=[
                alt.Tooltip("period:N", title=words.text("日期", "Date")),
                alt.Tooltip("value:Q", title=share, format=theme.SHARE_FORMAT),
            ],
        )
        .properties(width=theme.CHART_WIDTH, height=200, title=share)
    )


def service_rows(daily: pl.DataFrame, words: Words) -> pl.DataFrame:
    """Long rows: feed, day type, measure, value (newest accepted version of each feed)."""
    measures = [m for m in MEASURES if m in daily.columns]
    return (
        daily.unpivot(index=["feed_name", "day_type"], on=measures, variable_name="measure")
        .with_columns(
            pl.col("day_type").replace_strict(
                {k: words.pair(v) for k, v in DAY_TYPES.items()}, default=pl.col("day_type")
            ).alias("day_label"),
            pl.col("measure").replace_strict({k: words.pair(v) for k, v in MEASURES.items()})
            .alias("measure_label"),
            pl.col("value").cast(pl.Float64),
        )
    )  # fmt: skip


def service_chart(daily: pl.DataFrame, words: Words) -> alt.FacetChart:
    rows = service_rows(daily, words)
    days = [words.pair(v) for v in DAY_TYPES.values()]
    return (
        alt.Chart(inline(rows))
        .mark_bar()
        .encode(
            x=alt.X("day_label:N", title=None, sort=days, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("sum(value):Q", title=None),
            color=alt.Color("feed_name:N", title=words.text("时刻表", "Feed")),
            tooltip=["feed_name:N", "day_label:N", "measure_label:N", "sum(value):Q"],
        )
        .properties(width=190, height=180)
        .facet(column=alt.Column("measure_label:N", title=None))
        .resolve_scale(y="independent")
        .properties(
            title=alt.Title(
                words.text("代表日计划服务量", "Scheduled service per representative day"),
                subtitle=words.text("各时刻表最新版本", "newest version of each feed"),
            )
        )
    )


def stops_by_town(daily: pl.DataFrame) -> pl.DataFrame:
    """Weekday stops served per town, summed over the feeds (from the stops_per_town JSON)."""
    weekday = daily.filter(pl.col("day_type") == "weekday").drop_nulls("stops_per_town")
    counts: dict[str, int] = {}
    for text in weekday["stops_per_town"]:
        for town, stops in json.loads(text).items():
            counts[town] = counts.get(town, 0) + int(stops)
    return pl.DataFrame(
        {"town": list(counts), "stops": list(counts.values())},
        schema={"town": pl.Utf8, "stops": pl.Int64},
    )


def stops_chart(towns: pl.DataFrame, words: Words) -> alt.Chart:
    stops = words.text("工作日有服务的站点", "Stops served on a weekday")
    return (
        alt.Chart(inline(towns))
        .mark_bar(color=theme.SERIES_COLOUR)
        .encode(
            y=alt.Y("town:N", title=None, sort="-x"),
            x=alt.X("stops:Q", title=stops),
            tooltip=[alt.Tooltip("town:N", title=words.text("镇", "Town")), "stops:Q"],
        )
        .properties(width=theme.CHART_WIDTH, title=words.text("各镇公交站点", "Bus stops by town"))
    )
