"""What-if for the fleet targets: a slider for vehicles replaced per month, in pure Vega-Lite.

From the latest month (numerator N of denominator D vehicles, `units_to_close` U still to
replace), replacing p conventional vehicles a month gives the share (N + min(p·k, D − N)) / D
after k months, with the fleet size held at D. The target is crossed in the first month with
p·k ≥ U, the exact count from metrics.target_gap, so the page never rounds a share to decide it.
When metrics.target_gap_co2 gives the CO2 a year one replacement saves (s), the header also
shows the CO2 saved in the next 12 months at the slider's pace: Σ_{k=1..12} min(p·k, U) · s / 12.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import altair as alt
import polars as pl

from assets.dashboards import theme
from assets.dashboards.labels import Words


@dataclass(frozen=True)
class WhatIf:
    """The numbers the what-if starts from, all from the latest month of the indicator."""

    indicator_id: str
    latest_end: date
    numerator: float
    denominator: float
    units_to_close: int
    recent_pace: int  # observed: average net gain of qualifying vehicles a month, last year
    needed_pace: int  # the pace that reaches the target by the deadline (0 once it passed)
    default_pace: int
    max_pace: int
    horizon_months: int
    saving_per_vehicle_t: float | None = None  # CO2 a year one replacement saves, tonnes

    @property
    def param_name(self) -> str:
        return f"pace_{self.indicator_id}"


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def recent_pace(series: pl.DataFrame, months: int = 12) -> int:
    """Average net gain of qualifying vehicles per month over the last `months` months."""
    rows = series.drop_nulls("numerator").sort("period_end").tail(months + 1)
    if rows.height < 2:
        return 0
    gain = rows["numerator"][-1] - rows["numerator"][0]
    return max(0, round(gain / (rows.height - 1)))


def what_if_inputs(
    series: pl.DataFrame, target: dict, saving_per_vehicle_t: float | None = None
) -> WhatIf | None:
    """None when the indicator has no latest month or no units_to_close."""
    latest = series.drop_nulls("value").sort("period_end").tail(1)
    units = target.get("units_to_close")
    if latest.is_empty() or units is None:
        return None
    end, deadline = latest["period_end"][0], target["deadline"]
    months_left = months_between(end, deadline)
    to_deadline = max(1, months_left)
    needed = math.ceil(units / to_deadline) if units and months_left > 0 else 0
    observed = recent_pace(series)
    return WhatIf(
        indicator_id=target["indicator_id"],
        latest_end=end,
        numerator=float(latest["numerator"][0]),
        denominator=float(latest["denominator"][0]),
        units_to_close=int(units),
        recent_pace=observed,
        needed_pace=needed,
        # the slider opens on what it takes to make the deadline, else on the observed pace
        default_pace=needed or max(observed, 1),
        max_pace=int(max(10, 2 * needed, min(units, 200))),
        horizon_months=int(min(48, max(12, to_deadline + 6))),
        saving_per_vehicle_t=saving_per_vehicle_t,
    )


def pace_param(what_if: WhatIf, words: Words) -> alt.Parameter:
    label = words.text("每月替换车辆数", "vehicles replaced per month") + " "
    return alt.param(
        name=what_if.param_name,
        value=what_if.default_pace,
        bind=alt.binding_range(min=0, max=what_if.max_pace, step=1, name=label),
    )


def _month_start(what_if: WhatIf) -> str:
    """The start of a Vega `utc(year, month, day)` call at the latest month (0-based month)."""
    return f"utc({what_if.latest_end.year}, {what_if.latest_end.month - 1}"


def crossing_fields(what_if: WhatIf) -> dict[str, str]:
    """Vega expressions: months until the target is reached at the slider's pace (closed form:
    the first k with p·k ≥ U), that month's end, and the share then."""
    p, w = what_if.param_name, what_if
    units = w.units_to_close
    fields = {
        "cross_k": f"{units} == 0 ? 0 : ({p} > 0 ? ceil({units} / {p}) : null)",
        "cross_month": f"{_month_start(w)} + datum.cross_k + 1, 0)",
        "cross_share": f"({w.numerator} + min({p} * datum.cross_k, {w.denominator - w.numerator}))"
        f" / {w.denominator}",
    }
    if w.saving_per_vehicle_t is not None:
        fields |= year_saving_fields(w)
    return fields


def year_saving_fields(what_if: WhatIf) -> dict[str, str]:
    """Vega expressions: CO2 saved over the next 12 months at the slider's pace p. Month k has
    min(p·k, U) vehicles replaced; with m = min(12, floor(U / p)) months below U the sum is
    p·m(m+1)/2 + (12 − m)·U vehicle-months, each saving s / 12 tonnes."""
    p, units, saving = what_if.param_name, what_if.units_to_close, what_if.saving_per_vehicle_t
    return {
        "below_u": f"{p} > 0 ? min(12, floor({units} / {p})) : 0",
        "year_co2_t": f"({p} > 0 ? {p} * datum.below_u * (datum.below_u + 1) / 2 "
        f"+ (12 - datum.below_u) * {units} : 0) * {saving} / 12",
    }


def crossing_text(param: str, words: Words, with_co2: bool = False) -> str:
    """A Vega expression: the pace and the month it reaches the target (or that it does not),
    and with `with_co2` the CO2 saved over the next 12 months at that pace."""
    pace = f"' + {param} + '"
    month = "' + utcFormat(datum.cross_month, '%Y-%m') + '"
    tonnes = "' + format(datum.year_co2_t, ',.0f') + '"
    if words.lang == "en":
        reached = f"At {pace} vehicles replaced a month the target is reached in {month}"
        never = "With no vehicles replaced the target is not reached"
        co2 = f"; {tonnes} t CO2 saved in the next 12 months"
    else:
        reached = f"按每月替换 {pace} 辆，预计 {month} 达标 · at {pace}/month: reached in {month}"
        never = "不替换车辆则无法达标 · with no replacements the target is not reached"
        co2 = f" · 未来12个月减排约 {tonnes} 吨CO2 · {tonnes} t CO2 in 12 months"
    text = f"(isValid(datum.cross_k) ? '{reached}' : '{never}')"
    return f"{text} + '{co2}'" if with_co2 else text


def _one_row(what_if: WhatIf, words: Words) -> alt.Chart:
    return alt.Chart(alt.Data(values=[{}])).transform_calculate(
        **crossing_fields(what_if),
        crossing_label=crossing_text(
            what_if.param_name, words, what_if.saving_per_vehicle_t is not None
        ),
    )


def crossing_header(what_if: WhatIf, words: Words, width: int) -> alt.Chart:
    """A one-line view above the trend: the pace and the month the target is reached."""
    return (
        _one_row(what_if, words)
        .mark_text(
            align="left",
            baseline="middle",
            fontSize=13,
            fontWeight="bold",
            color=theme.WHAT_IF_COLOUR,
        )
        .encode(x=alt.value(0), y=alt.value(10), text="crossing_label:N")
        .properties(width=width, height=20)
    )


def what_if_layers(what_if: WhatIf, words: Words, time_x) -> list[alt.Chart]:
    """The share month by month under the slider's pace, and a diamond where it crosses."""
    p, w = what_if.param_name, what_if
    months = alt.Chart(alt.sequence(0, w.horizon_months + 1, as_="k")).transform_calculate(
        month_end=f"{_month_start(w)} + datum.k + 1, 0)",
        what_if_share=f"({w.numerator} + min({p} * datum.k, {w.denominator - w.numerator}))"
        f" / {w.denominator}",
    )
    line = months.mark_line(color=theme.WHAT_IF_COLOUR, strokeWidth=2).encode(
        x=time_x("month_end"),
        y="what_if_share:Q",
        tooltip=[
            alt.Tooltip("month_end:T", title=words.text("月份", "Month"), format="%Y-%m"),
            alt.Tooltip(
                "what_if_share:Q", title=words.text("按此速度", "At this pace"), format=".1%"
            ),
        ],
    )
    marker = (
        _one_row(what_if, words)
        .transform_filter(f"isValid(datum.cross_k) && datum.cross_k <= {w.horizon_months}")
        .mark_point(shape="diamond", size=130, filled=True, color=theme.WHAT_IF_COLOUR)
        .encode(x=time_x("cross_month"), y="cross_share:Q")
    )
    return [line, marker]
