"""An indicator over time: values, survey intervals, target line, deadline, projection."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import polars as pl

from assets.dashboards import theme
from assets.dashboards.chart_data import inline
from assets.dashboards.labels import Words
from assets.dashboards.projection import projection_points

# Yearly and per-wave values sit on their period_end (31 December, or as_of for a year to
# date): ticks go exactly there, labelled by year (or year-month when not a year end).
TREND_HEIGHT = 260
MAX_POINTS_MARKED = 36  # beyond that, dots only clutter the line
YEAR_LABELS = (
    "utcFormat(datum.value, '%m-%d') == '12-31' ? utcFormat(datum.value, '%Y') "
    ": utcFormat(datum.value, '%Y-%m')"
)


def time_axis(kind: str, words: Words, tick_dates: list) -> Callable[[str], alt.X]:
    """One x encoding for every layer of a trend chart (layers must agree on the axis)."""
    title = words.text("时间", "Period")
    if kind == "fleet":
        return lambda field: theme.utc_x(field, title, "%Y-%m")
    values = [
        alt.DateTime(year=d.year, month=d.month, date=d.day, utc=True) for d in sorted(tick_dates)
    ]
    return lambda field: alt.X(
        f"{field}:T",
        title=title,
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(values=values, labelExpr=YEAR_LABELS, labelAngle=0, labelOverlap="greedy"),
    )


def share_axis(words: Words) -> alt.Y:
    return alt.Y(
        "value:Q",
        title=words.text("占比", "Share"),
        axis=alt.Axis(format=theme.SHARE_AXIS_FORMAT),
        scale=alt.Scale(zero=True),
    )


def value_layers(series: pl.DataFrame, words: Words, time_x) -> list[alt.Chart]:
    x = time_x("period_end")
    tooltip = [
        alt.Tooltip("period:N", title=words.text("期间", "Period")),
        alt.Tooltip("value:Q", title=words.text("占比", "Share"), format=theme.SHARE_FORMAT),
        alt.Tooltip("numerator:Q", title=words.text("分子", "Numerator"), format=",.0f"),
        alt.Tooltip("denominator:Q", title=words.text("分母", "Denominator"), format=",.0f"),
    ]
    base = alt.Chart(inline(series)).encode(x=x, y=share_axis(words), tooltip=tooltip)
    layers = [base.mark_line(color=theme.SERIES_COLOUR, strokeWidth=2.5)]
    if series.height <= MAX_POINTS_MARKED:
        layers.append(base.mark_point(color=theme.SERIES_COLOUR, filled=True, size=45))
    intervals = series.filter(pl.col("ci_low").is_not_null() & pl.col("ci_high").is_not_null())
    if intervals.height:
        layers.append(
            alt.Chart(inline(intervals))
            .mark_rule(color=theme.SERIES_COLOUR, strokeWidth=1.5)
            .encode(x=x, y="ci_low:Q", y2="ci_high:Q")
        )
    return layers


def target_layers(target: dict, words: Words, time_x) -> list[alt.Chart]:
    rows = pl.DataFrame(
        {
            "target": [target["target_value"]],
            "deadline": [target["deadline"]],
            "target_label": [
                f"{words.text('目标', 'target')} {words.share(target['target_value'])}"
            ],
            "deadline_label": [
                f"{words.text('期限', 'deadline')} {words.date(target['deadline'])}"
            ],
        }
    )
    base = alt.Chart(inline(rows))
    return [
        base.mark_rule(color=theme.TARGET_COLOUR, strokeDash=[6, 3]).encode(y="target:Q"),
        base.mark_text(align="left", dx=4, dy=-7, color=theme.TARGET_COLOUR).encode(
            x=alt.value(0), y="target:Q", text="target_label:N"
        ),
        base.mark_rule(color="#c62828").encode(x=time_x("deadline")),
        base.mark_text(align="left", dx=4, baseline="bottom", color="#c62828").encode(
            x=time_x("deadline"),
            y=alt.value(TREND_HEIGHT - 4),
            text="deadline_label:N",
        ),
    ]


def projection_layer(trend: dict | None, words: Words, time_x) -> list:
    points = projection_points(trend)
    if points.is_empty():
        return []
    return [
        alt.Chart(inline(points))
        .mark_line(color=theme.PROJECTION_COLOUR, strokeDash=[2, 3], strokeWidth=2)
        .encode(
            x=time_x("period_end"),
            y="projected:Q",
            tooltip=[
                alt.Tooltip(
                    "projected:Q",
                    title=words.text("趋势外推", "Projection"),
                    format=theme.SHARE_FORMAT,
                )
            ],
        )
    ]


def trend_chart(
    series: pl.DataFrame,
    target: dict,
    kind: str,
    words: Words,
    extra=None,
    header=None,
    trend: dict | None = None,
) -> alt.LayerChart | alt.VConcatChart:
    """Values (with intervals), target and deadline rules, the projection along `trend` (a row
    of intermediate.int_targets__trend); `extra(time_x)` gives more layers (the what-if) drawn
    on top, `header` a view above."""
    time_x = time_axis(kind, words, [*series["period_end"].to_list(), target["deadline"]])
    layers = [
        *value_layers(series, words, time_x),
        *target_layers(target, words, time_x),
        *projection_layer(trend, words, time_x),
        *(extra(time_x) if extra else []),
    ]
    title = alt.Title(
        words.text("变化趋势", "Trend"), subtitle=words.text(target["name_zh"], target["name_en"])
    )
    plot = alt.layer(*layers).properties(width=theme.CHART_WIDTH, height=TREND_HEIGHT)
    if header is None:
        return plot.properties(title=title)
    return alt.vconcat(header, plot, spacing=4).properties(title=title)
