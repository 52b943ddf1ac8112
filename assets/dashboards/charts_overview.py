"""The overview: one bullet chart per target, stacked, each carrying its numbers as text.

A row shows the range up to a little beyond the target, the latest value as a bar coloured by
status, the target as a black tick, the value at the deadline (once it has passed) as a
triangle and the trend projection at the deadline as an open circle.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from assets.dashboards import theme
from assets.dashboards.chart_data import inline
from assets.dashboards.labels import STATUS_COLOURS, Words, value_missing

ROW_HEIGHT = 26


def numbers_line(target: dict, words: Words) -> list[str]:
    """Two subtitle lines: value, target, gap; units to close, value at deadline, as-of."""
    first = [
        f"{words.text('最新', 'latest')} {words.share(target['latest_value'])}"
        f" ({target.get('latest_period') or '—'})",
        f"{words.text('目标', 'target')} {words.share(target['target_value'])}",
        f"{words.text('差距', 'gap')} {words.points(target['gap_pp'])}",
        words.status(target["status"]),
    ]
    second = []
    if not value_missing(target.get("units_to_close")):
        second.append(
            f"{words.text('还需', 'to close')} {words.vehicles(target['units_to_close'])}"
        )
    if not value_missing(target.get("value_at_deadline")):
        second.append(
            f"{words.text('期限时', 'at deadline')} {words.share(target['value_at_deadline'])}"
        )
    if not value_missing(target.get("projected_at_deadline")):
        second.append(
            f"{words.text('趋势外推至期限', 'projected')} "
            f"{words.share(target['projected_at_deadline'])}"
        )
    second.append(f"{words.text('数据截至', 'as of')} {words.date(target.get('as_of'))}")
    return [" · ".join(first), " · ".join(second)]


def domain_top(target: dict) -> float:
    fields = ("target_value", "latest_value", "value_at_deadline", "projected_at_deadline")
    values = [target.get(k) for k in fields]
    top = max(v for v in values if not value_missing(v)) * 1.25
    return min(1.0, max(0.05, top))


def bullet_row(target: dict, words: Words) -> alt.LayerChart:
    top = domain_top(target)
    row = {k: target.get(k) for k in ("target_value", "latest_value", "value_at_deadline")}
    row |= {"projected": target.get("projected_at_deadline"), "top": top, "zero": 0.0}
    base = alt.Chart(inline(pl.DataFrame([row], infer_schema_length=None)))
    x_scale = alt.Scale(domain=[0, top], nice=False)
    axis = alt.Axis(format=theme.SHARE_AXIS_FORMAT, title=None, tickCount=5)
    colour = STATUS_COLOURS.get(target["status"], STATUS_COLOURS["no_data"])
    layers = [
        base.mark_bar(color="#eceff1", height=ROW_HEIGHT).encode(
            x=alt.X("zero:Q", scale=x_scale, axis=axis), x2="top:Q"
        ),
        base.mark_bar(color="#cfd8dc", height=ROW_HEIGHT).encode(x="zero:Q", x2="target_value:Q"),
        base.mark_bar(color=colour, height=ROW_HEIGHT * 0.45).encode(
            x="zero:Q", x2="latest_value:Q"
        ),
        base.mark_tick(color="black", thickness=3, size=ROW_HEIGHT + 6).encode(x="target_value:Q"),
    ]
    if not value_missing(target.get("value_at_deadline")):
        layers.append(
            base.mark_point(
                shape="triangle-down", filled=True, color=theme.INK, size=90, yOffset=-14
            ).encode(x="value_at_deadline:Q")
        )
    if not value_missing(target.get("projected_at_deadline")):
        layers.append(
            base.mark_point(shape="circle", color=theme.INK, size=70, strokeWidth=2).encode(
                x="projected:Q"
            )
        )
    title = alt.Title(
        words.text(target["name_zh"], target["name_en"]),
        subtitle=numbers_line(target, words),
        fontSize=13,
        subtitleColor=theme.INK,
    )
    return alt.layer(*layers).properties(width=theme.CHART_WIDTH, height=ROW_HEIGHT, title=title)


def overview_chart(targets: pl.DataFrame, words: Words) -> alt.VConcatChart:
    rows = [bullet_row(t, words) for t in targets.iter_rows(named=True)]
    legend = words.lines(
        "柱=最新值（颜色=状态）· 黑线=目标 · ▼=期限时的值 · ○=趋势外推至期限",
        "bar = latest (colour = status) · tick = target · ▼ = at deadline · ○ = projected",
    )
    return alt.vconcat(*rows, spacing=22).properties(
        title=alt.Title(words.text("五项目标进展", "Five targets at a glance"), subtitle=legend)
    )
