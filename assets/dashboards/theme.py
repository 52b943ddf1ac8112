"""One Vega-Lite config for every chart, in the page and in the exported images."""

from __future__ import annotations

import altair as alt

from assets.dashboards.fonts import FONT_STACK

INK = "#263238"
TARGET_COLOUR = "#37474f"
PROJECTION_COLOUR = "#78909c"
WHAT_IF_COLOUR = "#6a1b9a"
SERIES_COLOUR = "#1565c0"
CHART_WIDTH = 640
# Vega-Lite formats matching labels.Words.share (one decimal, half-up is close enough here:
# the page's own numbers come from labels.py, charts only repeat them on axes and tooltips).
SHARE_FORMAT = ".1%"
SHARE_AXIS_FORMAT = ".1~%"  # 5%, 5.5%, 6%: no repeated labels on small shares

CONFIG = {
    "font": FONT_STACK,
    "background": "white",
    "padding": 8,
    "title": {"anchor": "start", "fontSize": 15, "subtitleFontSize": 12, "color": INK},
    "axis": {"labelFontSize": 11, "titleFontSize": 12, "titleColor": INK, "grid": True},
    "legend": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": 320},
    "header": {"labelFontSize": 12, "titleFontSize": 12},
    "view": {"stroke": None},
}


def finish(chart: alt.TopLevelMixin) -> dict:
    """The Vega-Lite dict of a chart with the shared config; all data inlined."""
    spec = chart.to_dict()
    config = dict(spec.get("config", {}))
    for key, value in CONFIG.items():
        config[key] = {**config.get(key, {}), **value} if isinstance(value, dict) else value
    spec["config"] = config
    return spec


def utc_x(field: str, title: str, fmt: str = "%Y-%m", **axis) -> alt.X:
    """A time axis on a UTC scale, so ISO dates stay on their day in any time zone (with a UTC
    scale Vega formats the labels in UTC too)."""
    return alt.X(
        f"{field}:T",
        title=title,
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(format=fmt, labelAngle=0, **axis),
    )
