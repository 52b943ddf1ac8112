"""Fleet composition: vehicles by powertrain over time, and taxis by operating area."""

from __future__ import annotations

from collections import Counter

import altair as alt
import polars as pl

from assets.dashboards import theme
from assets.dashboards.chart_data import inline
from assets.dashboards.labels import Words

# Shades per energy class: greens for new energy, blues for clean energy, greys otherwise.
CLASS_SHADES = {
    "new_energy": ("#1b5e20", "#388e3c", "#66bb6a", "#a5d6a7", "#c8e6c9"),
    "clean_energy": ("#0d47a1", "#1976d2", "#42a5f5", "#90caf9", "#bbdefb"),
    "conventional": ("#424242", "#757575", "#bdbdbd"),
    "unknown": ("#d7ccc8", "#bcaaa4"),
}
CLASS_ORDER = tuple(CLASS_SHADES)


def _class_rank(energy_class: str) -> int:
    return CLASS_ORDER.index(energy_class) if energy_class in CLASS_ORDER else len(CLASS_ORDER)


def powertrain_groups(frame: pl.DataFrame, words: Words) -> tuple[pl.DataFrame, list, list]:
    """Adds `group` (powertrain · energy class) and `group_rank`; returns legend and colours."""
    frame = frame.with_columns(pl.col("energy_class").fill_null("unknown"))
    pairs = sorted(
        set(frame.select("energy_class", "powertrain").iter_rows()),
        key=lambda pair: (_class_rank(pair[0]), pair[1] or ""),
    )
    used: Counter = Counter()
    legend = []
    for rank, (energy_class, powertrain) in enumerate(pairs):
        shades = CLASS_SHADES.get(energy_class, CLASS_SHADES["unknown"])
        label = f"{powertrain} · {words.energy_class(energy_class)}"
        legend.append(
            (energy_class, powertrain, label, rank, shades[used[energy_class] % len(shades)])
        )
        used[energy_class] += 1
    lookup = pl.DataFrame(
        legend,
        schema=["energy_class", "powertrain", "group", "group_rank", "colour"],
        orient="row",
    )
    grouped = frame.join(lookup.drop("colour"), on=["energy_class", "powertrain"], how="left")
    return grouped, lookup["group"].to_list(), lookup["colour"].to_list()


def fleet_area_chart(frame: pl.DataFrame, title: tuple[str, str], words: Words) -> alt.Chart:
    """Stacked area: vehicles in service each month by powertrain, shaded by energy class."""
    grouped, domain, colours = powertrain_groups(frame, words)
    legend_title = words.text("动力类型", "Powertrain")
    return (
        alt.Chart(inline(grouped))
        .mark_area()
        .encode(
            x=theme.utc_x("period_end", words.text("月份", "Month")),
            y=alt.Y("sum(vehicles):Q", title=words.text("在用车辆（辆）", "Vehicles in service")),
            color=alt.Color(
                "group:N", title=legend_title, scale=alt.Scale(domain=domain, range=colours)
            ),
            order=alt.Order("group_rank:Q"),
            tooltip=[
                alt.Tooltip("period:N", title=words.text("月份", "Month")),
                alt.Tooltip("group:N", title=legend_title),
                alt.Tooltip("sum(vehicles):Q", title=words.text("车辆", "Vehicles")),
            ],
        )
        .properties(width=theme.CHART_WIDTH, height=240, title=words.text(*title))
    )


def taxi_area_chart(frame: pl.DataFrame, words: Words) -> alt.Chart:
    """Street-hail taxis by operating area in the latest month, split by energy class."""
    street = frame.filter(pl.col("taxi_kind") == "巡游出租车").with_columns(
        pl.col("energy_class")
        .map_elements(words.energy_class, return_dtype=pl.Utf8)
        .alias("energy_label")
    )
    classes = [words.energy_class(c) for c in CLASS_ORDER]
    colours = [CLASS_SHADES[c][1] for c in CLASS_ORDER]
    period = street["period"][0] if street.height else "—"
    return (
        alt.Chart(inline(street))
        .mark_bar()
        .encode(
            y=alt.Y("operating_area:N", title=None),
            x=alt.X(
                "sum(vehicles):Q",
                stack="normalize",
                title=words.text("车辆构成", "Share of taxis"),
                axis=alt.Axis(format=theme.SHARE_AXIS_FORMAT),
            ),
            color=alt.Color(
                "energy_label:N",
                title=words.text("能源类别", "Energy class"),
                scale=alt.Scale(domain=classes, range=colours),
            ),
            tooltip=[
                alt.Tooltip("operating_area:N", title=words.text("区域", "Area")),
                alt.Tooltip("energy_label:N", title=words.text("能源类别", "Energy class")),
                alt.Tooltip("sum(vehicles):Q", title=words.text("车辆", "Vehicles")),
            ],
        )
        .properties(
            width=theme.CHART_WIDTH,
            title=alt.Title(
                words.text("巡游出租车按区域", "Street-hail taxis by area"),
                subtitle=words.text(
                    f"{period} 月，各运营区域（不含网约车）",
                    f"month {period}, by operating area (ride-hailing excluded)",
                ),
            ),
        )
    )
