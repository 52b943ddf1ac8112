"""Survey waves: the mode split, and the headline shares beside their definition variants."""

from __future__ import annotations

import altair as alt
import polars as pl

from assets.dashboards import theme
from assets.dashboards.chart_data import inline
from assets.dashboards.labels import Words

# (indicator, family, label_zh, label_en); the headline first in each family.
VARIANTS = (
    ("transit_mode_share", "transit", "全部出行为分母", "all trips (headline)"),
    ("transit_motorised_share", "transit", "机动化出行为分母", "motorised trips only"),
    ("green_travel_share", "green", "含电动自行车", "with e-bikes (headline)"),
    ("green_travel_share_excl_ebike", "green", "不含电动自行车", "without e-bikes"),
)
FAMILIES = {
    "transit": ("公共交通出行分担率", "Transit share"),
    "green": ("绿色出行比例", "Green travel"),
}


def _whiskers(frame: pl.DataFrame, encoding: dict) -> list[alt.Chart]:
    """An interval rule per bar, only when the frame has intervals."""
    if not {"ci_low", "ci_high"} <= set(frame.columns):
        return []
    if frame.filter(pl.col("ci_low").is_not_null()).is_empty():
        return []
    return [alt.Chart().mark_rule(color=theme.INK, strokeWidth=1.5).encode(**encoding)]


def mode_split_chart(frame: pl.DataFrame, words: Words) -> alt.Chart:
    """Weighted share of trips by main mode, one bar per wave (whiskers when intervals exist)."""
    rows = frame.with_columns(
        (
            pl.col("mode_label_en")
            if words.lang == "en"
            else pl.col("mode_label_zh") + " " + pl.col("mode_label_en")
        )
        .fill_null(pl.col("main_mode_code"))
        .alias("mode_label"),
        pl.col("main_mode_code").cast(pl.Int64, strict=False).alias("mode_order"),
    )
    share = words.text("加权出行占比", "Weighted share of trips")
    # explicit orders: layers whose sorts differ in form make Vega-Lite warn and drop them
    modes = rows.sort("mode_order")["mode_label"].unique(maintain_order=True).to_list()
    y = alt.Y(
        "mode_label:N",
        title=words.text("主要方式", "Main mode"),
        sort=modes,
        axis=alt.Axis(labelLimit=320),
    )
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            y=y,
            yOffset="wave_id:N",
            x=alt.X(
                "weighted_share:Q",
                title=share,
                axis=alt.Axis(format=theme.SHARE_AXIS_FORMAT, tickCount=8),
            ),
            color=alt.Color("wave_id:N", title=words.text("调查轮次", "Survey wave")),
            tooltip=[
                alt.Tooltip("wave_id:N", title=words.text("轮次", "Wave")),
                alt.Tooltip("mode_label:N", title=words.text("方式", "Mode")),
                alt.Tooltip("weighted_share:Q", title=share, format=theme.SHARE_FORMAT),
            ],
        )
    )
    whiskers = _whiskers(
        rows,
        {
            "y": y,
            "yOffset": "wave_id:N",
            "x": "ci_low:Q",
            "x2": "ci_high:Q",
        },
    )
    return alt.layer(bars, *whiskers, data=inline(rows)).properties(
        width=theme.CHART_WIDTH,
        title=words.text("出行方式构成", "Mode split by wave"),
    )


def variants_frame(indicator_values: pl.DataFrame, words: Words) -> pl.DataFrame:
    lookup = pl.DataFrame(
        [
            (i, f, words.text(zh, en), words.text(*FAMILIES[f]), n)
            for n, (i, f, zh, en) in enumerate(VARIANTS)
        ],
        schema=["indicator_id", "family", "variant", "family_label", "variant_order"],
        orient="row",
    )
    columns = ["indicator_id", "period", "value", "ci_low", "ci_high", "sample_size"]
    return indicator_values.select(columns).join(lookup, on="indicator_id", how="inner")


def variants_chart(indicator_values: pl.DataFrame, family: str, words: Words) -> alt.LayerChart:
    """Per wave, the headline survey share beside its definition variant, with intervals."""
    rows = variants_frame(indicator_values, words).filter(pl.col("family") == family)
    share = words.text("占比", "Share")
    order = rows.sort("variant_order")["variant"].unique(maintain_order=True).to_list()
    offset = alt.XOffset("variant:N", sort=order)
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            x=alt.X(
                "period:N", title=words.text("调查轮次", "Survey wave"), axis=alt.Axis(labelAngle=0)
            ),
            xOffset=offset,
            y=alt.Y("value:Q", title=share, axis=alt.Axis(format=theme.SHARE_AXIS_FORMAT)),
            color=alt.Color("variant:N", title=words.text("口径", "Definition"), sort=order),
            tooltip=[
                alt.Tooltip("period:N", title=words.text("轮次", "Wave")),
                alt.Tooltip("variant:N", title=words.text("口径", "Definition")),
                alt.Tooltip("value:Q", title=share, format=theme.SHARE_FORMAT),
                alt.Tooltip("ci_low:Q", title=words.text("区间下限", "95% low"), format=".1%"),
                alt.Tooltip("ci_high:Q", title=words.text("区间上限", "95% high"), format=".1%"),
                alt.Tooltip("sample_size:Q", title=words.text("样本出行", "Sample trips")),
            ],
        )
    )
    whiskers = _whiskers(
        rows, {"x": "period:N", "xOffset": offset, "y": "ci_low:Q", "y2": "ci_high:Q"}
    )
    return alt.layer(bars, *whiskers, data=inline(rows)).properties(
        width=theme.CHART_WIDTH,
        height=220,
        title=alt.Title(
            words.text(*FAMILIES[family]),
            subtitle=words.text(
                "不同口径对比，竖线为95%置信区间",
                "definitions side by side; rules are 95% intervals",
            ),
        ),
    )


def town_chart(frame: pl.DataFrame, target: dict, words: Words) -> alt.LayerChart:
    """The latest wave's share by the household's town, with intervals and the target."""
    rows = frame.filter(pl.col("measure") == target["indicator_id"]).with_columns(
        (
            pl.col("label_en")
            if words.lang == "en"
            else pl.col("label_zh") + " " + pl.col("label_en")
        )
        .fill_null(pl.col("category"))
        .alias("town_label"),
        (pl.col("thin") if "thin" in frame.columns else pl.lit(False)).alias("thin"),
    )
    share = words.text("占比", "Share")
    towns = rows.sort("value", descending=True)["town_label"].unique(maintain_order=True)
    y = alt.Y("town_label:N", title=None, sort=towns.to_list(), axis=alt.Axis(labelLimit=320))
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("value:Q", title=share, axis=alt.Axis(format=theme.SHARE_AXIS_FORMAT)),
            color=alt.condition("datum.thin", alt.value("#b0bec5"), alt.value(theme.SERIES_COLOUR)),
            tooltip=[
                alt.Tooltip("town_label:N", title=words.text("镇", "Town")),
                alt.Tooltip("value:Q", title=share, format=theme.SHARE_FORMAT),
                alt.Tooltip("sample_size:Q", title=words.text("样本出行", "Sample trips")),
            ],
        )
    )
    target_rule = (
        alt.Chart()
        .mark_rule(color=theme.TARGET_COLOUR, strokeDash=[6, 3])
        .encode(x=alt.datum(target["target_value"]))
    )
    whiskers = _whiskers(rows, {"y": y, "x": "ci_low:Q", "x2": "ci_high:Q"})
    wave = rows["wave_id"][0] if rows.height else "—"
    return alt.layer(bars, *whiskers, target_rule, data=inline(rows)).properties(
        width=theme.CHART_WIDTH,
        title=alt.Title(
            words.text("按居住镇", "By town of residence"),
            subtitle=words.text(
                f"{wave} 年调查；竖线为95%区间，浅色为样本不足；虚线为目标",
                f"wave {wave}; rules are 95% intervals, pale bars thin samples, dashed = target",
            ),
        ),
    )
