"""The carbon section: what the fleets emit, what their clean vehicles avoid, what closing each
fleet target's gap would save, with the factors and their sources listed beside the charts."""

from __future__ import annotations

import polars as pl

from assets.dashboards import charts_carbon, html_parts
from assets.dashboards.labels import Words, value_missing
from assets.dashboards.layout import Section, omitted
from assets.dashboards.reads import Reads

SECTION_ID = "carbon"


def section_title(words: Words) -> str:
    return words.text("碳排放与减排潜力", "Carbon: emissions and savings")


def tonnes(value) -> str:
    return "—" if value_missing(value) else f"{value:,.1f}"


def tonnes_range(central, low, high) -> str:
    if value_missing(central):
        return "—"
    return f"{tonnes(central)} ({tonnes(low)} – {tonnes(high)})"


def labelled_gaps(gaps: pl.DataFrame, targets: pl.DataFrame | None, words: Words) -> pl.DataFrame:
    """Each target's row with the target's name as the page shows it."""
    names = {}
    if targets is not None:
        for row in targets.iter_rows(named=True):
            names[row["indicator_id"]] = words.text(row["name_zh"], row["name_en"])
    return gaps.with_columns(
        pl.col("indicator_id").replace_strict(names, default=pl.col("indicator_id"))
        .alias("target_label")
    )  # fmt: skip


def gap_part(section: Section, reads: Reads, words: Words) -> None:
    gaps = reads.get("carbon_gap")
    section.add_html(
        html_parts.heading(words.text("补齐目标差距的减排量", "What closing each gap would save"))
    )
    if gaps is None or gaps.is_empty():
        why = reads.missing.get("carbon_gap", "no rows")
        section.add_note(omitted(words, ("目标差距减排量", "CO2 of the target gaps"), why))
        return
    gaps = labelled_gaps(gaps, reads.get("target_gap"), words)
    headers = [
        words.text("目标", "target"),
        words.text("还需车辆", "vehicles to close"),
        words.text("每辆每年减排 吨CO2（范围）", "t CO2 a year per vehicle (range)"),
        words.text("每年尚未实现的减排 吨CO2（范围）", "t CO2 a year still on the table (range)"),
    ]
    rows = [
        [
            row["target_label"],
            row["units_to_close"],
            tonnes_range(
                row["saving_per_vehicle_t"],
                row["saving_per_vehicle_t_low"],
                row["saving_per_vehicle_t_high"],
            ),
            tonnes_range(
                row["co2_on_table_t"], row["co2_on_table_t_low"], row["co2_on_table_t_high"]
            ),
        ]  # fmt: skip
        for row in gaps.iter_rows(named=True)
    ]
    section.add_html(html_parts.table(headers, rows, "carbon-gap"))
    with_gap = gaps.drop_nulls("co2_on_table_t")
    if with_gap.height:
        chart = charts_carbon.gap_chart(with_gap, words)
        section.add_chart("carbon_gap", chart, words.text("目标差距减排量", "gap CO2"), words)


def assumptions_table(factors: pl.DataFrame, words: Words) -> str:
    headers = [
        words.text("参数", "factor"),
        words.text("中值（范围）", "central (range)"),
        words.text("单位", "unit"),
        words.text("来源", "source"),
    ]
    rows = [
        [
            row["code"],
            f"{row['value_central']:g} ({row['value_low']:g} – {row['value_high']:g})",
            row["unit"],
            f"{row['source']} ({row['source_year']})",
        ]
        for row in factors.iter_rows(named=True)
    ]
    return html_parts.table(headers, rows, "assumptions")


def trend_part(section: Section, reads: Reads, words: Words) -> None:
    monthly, factors = reads.get("carbon_monthly"), reads.get("carbon_factors")
    section.add_html('<div class="beside"><div class="charts">')
    if monthly is None or monthly.is_empty():
        why = reads.missing.get("carbon_monthly", "no rows")
        section.add_note(omitted(words, ("每月CO2", "CO2 a month"), why))
    else:
        section.add_chart(
            "carbon_trend",
            charts_carbon.trend_chart(monthly, words),
            words.text("每月CO2", "CO2 a month"),
            words,
        )
        section.add_chart(
            "carbon_avoided",
            charts_carbon.avoided_chart(monthly, words),
            words.text("减少的CO2", "CO2 avoided"),
            words,
        )
    section.add_html('</div><aside class="assumptions">')
    section.add_html(html_parts.heading(words.text("假设与来源", "Assumptions and sources")))
    if factors is None:
        why = reads.missing.get("carbon_factors", "no rows")
        section.add_note(omitted(words, ("排放因子", "factors"), why))
    else:
        section.add_html(assumptions_table(factors, words))
    section.add_html("</aside></div>")


def carbon_section(reads: Reads, words: Words) -> Section:
    section = Section(SECTION_ID, section_title(words))
    section.add_note(
        words.text(
            "估算值而非实测：公交按时刻表车公里，出租车按年均里程；电力按电网平均排放因子。"
            "每个数字都给出由因子范围得到的上下限。",
            "Estimates, not measurements: buses from scheduled bus-km, taxis from km a year; "
            "electricity at the average grid factor. Every figure carries the low and high "
            "bounds of its factors' ranges.",
        )
    )
    gap_part(section, reads, words)
    trend_part(section, reads, words)
    return section
