"""One section per indicator: its trend (with the what-if for fleets) and its composition."""

from __future__ import annotations

from functools import partial

import polars as pl

from assets.dashboards import charts_fleet, charts_registrations, charts_survey, theme
from assets.dashboards.charts_trend import trend_chart
from assets.dashboards.charts_whatif import (
    crossing_header,
    pace_param,
    what_if_inputs,
    what_if_layers,
)
from assets.dashboards.labels import Words
from assets.dashboards.layout import Section, omitted
from assets.dashboards.projection import target_trend
from assets.dashboards.reads import Reads


def indicator_kind(indicator_id: str, series: pl.DataFrame, kinds: pl.DataFrame | None) -> str:
    """The target's kind from reference.targets; by the shape of its periods when not there."""
    if kinds is not None:
        known = kinds.filter(pl.col("indicator_id") == indicator_id)["kind"]
        if known.len():
            return known[0]
    periods = series["period"].to_list()
    return "fleet" if periods and len(periods[0]) == 7 else "registrations"


FLEET_MONTHS_SHOWN = 60


def saving_per_vehicle(reads: Reads, target: dict) -> float | None:
    """CO2 a year one replacement saves for this target (metrics.target_gap_co2), if known."""
    gaps = reads.get("carbon_gap")
    if gaps is None or "saving_per_vehicle_t" not in gaps.columns:
        return None
    row = gaps.filter(
        (pl.col("indicator_id") == target["indicator_id"])
        & (pl.col("deadline") == target["deadline"])
    ).drop_nulls("saving_per_vehicle_t")
    return float(row["saving_per_vehicle_t"][0]) if row.height else None


def add_trend(
    section: Section,
    target: dict,
    series: pl.DataFrame,
    kind: str,
    words: Words,
    saving_t: float | None = None,
    trend: dict | None = None,
):
    chart_id = f"trend_{target['indicator_id']}"
    if series.is_empty():
        section.add_note(omitted(words, ("趋势图", "trend chart"), "no values"))
        return
    what_if = what_if_inputs(series, target, saving_t) if kind == "fleet" else None
    shown = recent_months(series, FLEET_MONTHS_SHOWN) if kind == "fleet" else series
    if what_if is None:
        chart = trend_chart(shown, target, kind, words, trend=trend)
    else:
        layers = partial(what_if_layers, what_if, words)
        header = crossing_header(what_if, words, theme.CHART_WIDTH)
        chart = trend_chart(shown, target, kind, words, layers, header, trend)
        chart = chart.add_params(pace_param(what_if, words))
    section.add_chart(chart_id, chart, words.text("变化趋势", "Trend"), words)
    if what_if is not None:
        section.add_note(what_if_note(what_if, words))


def recent_months(frame: pl.DataFrame, months: int) -> pl.DataFrame:
    """The rows of the last `months` periods (fleet charts show recent years, not decades)."""
    periods = sorted(frame["period"].unique().to_list())[-months:]
    return frame.filter(pl.col("period").is_in(periods))


def what_if_note(what_if, words: Words) -> str:
    recent, needed = what_if.recent_pace, what_if.needed_pace
    zh = (
        "拖动滑块：按每月替换的传统车辆数推算占比（车队规模保持不变）。"
        f"近12个月平均每月净增 {recent} 辆"
        + (f"；按期达标需每月替换 {needed} 辆。" if needed else "。")
    )
    en = (
        "Drag the slider: the share if this many conventional vehicles are replaced each month "
        f"(fleet size held constant). Last 12 months: {recent} a month net"
        + (f"; {needed} a month reaches the target by the deadline." if needed else ".")
    )
    return words.text(zh, en)


def add_part(section: Section, reads: Reads, name: str, what: tuple[str, str], build, words):
    """Adds the chart `build(frame)` for table read `name`, or a visible note when absent."""
    frame = reads.get(name)
    if frame is None or frame.is_empty():
        why = reads.missing.get(name, "no rows")
        section.add_note(omitted(words, what, why))
        return
    section.add_chart(f"{name}_{section.section_id}", build(frame), words.pair(what), words)


def recent_fleet(build):
    return lambda frame: build(recent_months(frame, FLEET_MONTHS_SHOWN))


def bus_parts(section: Section, target: dict, reads: Reads, words: Words):
    what = ("公交车辆动力构成", "Buses by powertrain")
    chart = partial(charts_fleet.fleet_area_chart, title=what, words=words)
    add_part(section, reads, "bus_fleet", what, recent_fleet(chart), words)
    section.add_note(words.text("公交台账无分镇信息。", "The bus ledger carries no town."))


def taxi_parts(section: Section, target: dict, reads: Reads, words: Words):
    what = ("市区巡游出租车动力构成", "Urban street-hail taxis by powertrain")
    chart = partial(charts_fleet.fleet_area_chart, title=what, words=words)
    add_part(section, reads, "taxi_fleet", what, recent_fleet(chart), words)
    chart = partial(charts_fleet.taxi_area_chart, words=words)
    add_part(section, reads, "taxi_by_area", ("按区域", "By area"), chart, words)


def registration_parts(section: Section, target: dict, reads: Reads, words: Words):
    chart = partial(charts_registrations.category_chart, words=words)
    add_part(section, reads, "new_vehicles", ("按类别", "By category"), chart, words)
    section.add_note(words.text("登记数据无分镇信息。", "Registrations carry no town."))


def survey_parts(section: Section, target: dict, reads: Reads, words: Words):
    family = "transit" if target["indicator_id"] == "transit_mode_share" else "green"
    section.add_chart(
        f"variants_{target['indicator_id']}",
        charts_survey.variants_chart(reads.get("indicator_values"), family, words),
        words.text("不同口径对比", "Definitions side by side"),
        words,
    )
    chart = partial(charts_survey.town_chart, target=target, words=words)
    add_part(section, reads, "survey_towns", ("按镇", "By town"), chart, words)
    if family == "transit":
        # the mode split with intervals when the survey estimates exist, else the plain mart
        name = "survey_mode_split" if reads.get("survey_mode_split") is not None else "survey_modes"
        chart = partial(charts_survey.mode_split_chart, words=words)
        add_part(section, reads, name, ("出行方式构成", "Mode split"), chart, words)


COMPOSITION = {
    "bus_clean_share": bus_parts,
    "urban_taxi_nev_share": taxi_parts,
    "new_public_vehicle_ev_share": registration_parts,
    "transit_mode_share": survey_parts,
    "green_travel_share": survey_parts,
}


def indicator_section(target: dict, reads: Reads, words: Words) -> Section:
    indicator_id = target["indicator_id"]
    values = reads.get("indicator_values")
    series = values.filter(pl.col("indicator_id") == indicator_id)
    section = Section(indicator_id, words.text(target["name_zh"], target["name_en"]))
    kind = indicator_kind(indicator_id, series, reads.get("target_kinds"))
    trend = target_trend(reads.get("target_trend"), target)
    add_trend(section, target, series, kind, words, saving_per_vehicle(reads, target), trend)
    if indicator_id in COMPOSITION:
        COMPOSITION[indicator_id](section, target, reads, words)
    return section
