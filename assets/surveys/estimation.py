"""What the travel-survey analytics estimate, per wave, each with a design-based interval.

The four indicator shares of docs/indicators.md, the split over all 12 modes, breakdowns by town,
purpose, age band, distance band and sex, and the trip rate per person. Every one is a ratio
Σ w·y / Σ w·x over the wave's analysis frame (design.py), so point values stay the plain
weighted shares of docs/indicators.md and svy supplies only the uncertainty.
"""

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import yaml
from scipy.special import stdtrit

from assets.surveys.design import Measure, estimate, person_trip_frame, trip_frame
from assets.surveys.mapping import SurveyFrames, SurveyMapping

BANDS_FILE = Path(__file__).resolve().parent / "bands.yaml"
EBIKE_MODE = 3  # docs/reference.md travel_mode 3 电动自行车: out of green_travel_share_excl_ebike
TRIP = pl.col("is_trip")
INDICATORS = {  # indicator_id: (numerator, denominator) over trips (docs/indicators.md)
    "transit_mode_share": (pl.col("is_public_transport"), TRIP),
    "transit_motorised_share": (
        pl.col("is_public_transport") & pl.col("is_motorised"),
        pl.col("is_motorised"),
    ),
    "green_travel_share": (pl.col("is_green"), TRIP),
    "green_travel_share_excl_ebike": (
        pl.col("is_green") & (pl.col("main_mode") != EBIKE_MODE),
        TRIP,
    ),
}
TRIP_DIMENSIONS = ("town", "purpose", "age_band", "distance_band", "sex")
PERSON_DIMENSIONS = ("town", "age_band", "sex")
FLAGS = ("is_public_transport", "is_green", "is_motorised")


def load_bands(path: Path = BANDS_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def period_end(wave_id: str) -> dt.date | None:
    """31 December of the wave year; null when the wave id is not a year (as the SQL models)."""
    return dt.date(int(wave_id), 12, 31) if wave_id.isdigit() else None


def with_mode_flags(frame: pl.DataFrame, travel_mode: pl.DataFrame) -> pl.DataFrame:
    """Flags from reference.travel_mode; a code missing there keeps its trips, flags false."""
    flags = travel_mode.select(pl.col("code").cast(pl.Int64).alias("main_mode"), *FLAGS)
    joined = frame.join(flags, on="main_mode", how="left")
    return joined.with_columns(pl.col(f).fill_null(False) & TRIP for f in FLAGS)


def band(column: str, bands: list[dict], unknown: str) -> pl.Expr:
    expr = pl.lit(unknown)
    for b in reversed(bands):
        inside = pl.col(column) >= b["min"]
        if b.get("max") is not None:
            inside = inside & (pl.col(column) < b["max"])
        expr = pl.when(inside).then(pl.lit(b["code"])).otherwise(expr)
    return expr


def with_domains(frame: pl.DataFrame, bands: dict) -> pl.DataFrame:
    unknown = bands["unknown"]["code"]

    def code(column):
        return pl.col(column).cast(pl.String).fill_null(unknown) if column in frame else None

    domains = {
        "town": code("town_code"),
        "purpose": code("purpose"),
        "sex": code("sex"),
        "age_band": band("age", bands["age_band"], unknown) if "age" in frame else None,
        "distance_band": band("distance_km", bands["distance_band"], unknown)
        if "distance_km" in frame
        else None,
    }
    return frame.with_columns(
        **{f"dim_{d}": expr for d, expr in domains.items() if expr is not None}
    )


def category_labels(town, trip_purpose, bands) -> pl.DataFrame:
    """(dimension, category) → label_zh, label_en, from the code tables and bands.yaml."""
    unknown = bands["unknown"]
    rows = [("all", "all", "全部", "all")]
    rows += [
        (d, unknown["code"], unknown["label_zh"], unknown["label_en"]) for d in TRIP_DIMENSIONS
    ]
    for dimension in ("age_band", "distance_band", "sex"):
        rows += [(dimension, b["code"], b["label_zh"], b["label_en"]) for b in bands[dimension]]
    for dimension, table in (("town", town), ("purpose", trip_purpose)):
        rows += [(dimension, *row) for row in table.select("code", "label_zh", "label_en").rows()]
    return pl.DataFrame(
        rows, schema=["dimension", "category", "label_zh", "label_en"], orient="row"
    )


def indicator_measures() -> list[Measure]:
    return [Measure({"indicator_id": i}, y, x) for i, (y, x) in INDICATORS.items()]


def mode_measures(travel_mode: pl.DataFrame) -> list[Measure]:
    codes = sorted(travel_mode.get_column("code").cast(pl.Int64).to_list())
    return [Measure({"mode_code": c}, TRIP & (pl.col("main_mode") == c), TRIP) for c in codes]


def breakdown_measures(frame: pl.DataFrame, dimensions=TRIP_DIMENSIONS) -> list[Measure]:
    """Every indicator in every category seen among the wave's trips, dimension by dimension."""
    trips = frame.filter(TRIP)
    measures = []
    for d in dimensions:
        for category in sorted(trips.get_column(f"dim_{d}").unique().drop_nulls().to_list()):
            mask = pl.col(f"dim_{d}") == category
            for indicator_id, (y, x) in INDICATORS.items():
                keys = {"dimension": d, "category": category, "measure": indicator_id}
                measures.append(Measure(keys, y & mask, x & mask))
    return measures


def trip_rate_measures(frame: pl.DataFrame) -> list[Measure]:
    """Weighted trips / weighted persons, overall and by the person's town, age band and sex."""
    y, x = pl.col("is_trip"), pl.col("is_person")
    measures = [Measure({"dimension": "all", "category": "all", "measure": "trip_rate"}, y, x)]
    for d in PERSON_DIMENSIONS:
        people = frame.filter(x).get_column(f"dim_{d}").unique().drop_nulls()
        for category in sorted(people.to_list()):
            mask = pl.col(f"dim_{d}") == category
            keys = {"dimension": d, "category": category, "measure": "trip_rate"}
            measures.append(Measure(keys, y & mask, x & mask))
    return measures


def wave_estimates(
    wave_id: str,
    frames: SurveyFrames,
    mapping: SurveyMapping,
    travel_mode: pl.DataFrame,
    *,
    bands: dict | None = None,
) -> dict[str, pl.DataFrame]:
    """Indicators and modes of one wave; with `bands`, also breakdowns and the trip rate."""
    design = {"psu": mapping.design.get("cluster", "hh_id")}
    design["stratum"] = mapping.design.get("stratum", "stratum")
    people = frames.persons.select("hh_id", "person_no", "age", "sex")
    trips = frames.trips.join(people, on=["hh_id", "person_no"], how="left")
    frame = trip_frame(
        frames.households,
        trips,
        empty_households=mapping.include_households_without_trips,
        **design,
    )
    del trips  # each frame below is let go once used: a provincial wave's is ~1 GB
    frame = with_mode_flags(frame, travel_mode)
    single = {"singleton": mapping.singleton}
    out = {
        "indicators": estimate(frame, indicator_measures(), **single),
        "modes": estimate(frame, mode_measures(travel_mode), **single),
    }
    if bands is not None:
        frame = with_domains(frame, bands)
        shares = estimate(frame, breakdown_measures(frame), **single)
        del frame
        rate_frame = with_domains(
            person_trip_frame(frames.households, frames.persons, frames.trips, **design), bands
        )
        rates = estimate(rate_frame, trip_rate_measures(rate_frame), upper=float("inf"), **single)
        # a category with no trip of a share's denominator population has nothing to report
        breakdowns = pl.concat([shares, rates], how="vertical_relaxed")
        out["breakdowns"] = breakdowns.filter(pl.col("sample_size") > 0)
    wave = pl.lit(wave_id).alias("wave_id"), pl.lit(period_end(wave_id)).alias("period_end")
    return {name: table.with_columns(*wave) for name, table in out.items()}


def share_change(estimates: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Difference between consecutive waves of each estimate, with its 95 % interval.

    Waves are independent samples, so var(Δ) = v1 + v2. The t quantile uses the
    Welch–Satterthwaite df, (v1 + v2)² / (v1²/df1 + v2²/df2), the two-sample analogue of the
    design df each wave's interval uses. `distinguishable` = the interval excludes 0.
    """
    ordered = estimates.sort([*keys, "period_end", "period"], nulls_last=True)
    earlier = {
        "period": "from_period",
        "value": "value_from",
        "std_error": "se_from",
        "design_df": "df_from",
    }
    pairs = ordered.with_columns(
        pl.col(c).shift(1).over(keys).alias(alias) for c, alias in earlier.items()
    ).filter(pl.col("from_period").is_not_null())
    v1, v2 = pl.col("se_from") ** 2, pl.col("std_error") ** 2
    satterthwaite = (v1 + v2) ** 2 / (v1**2 / pl.col("df_from") + v2**2 / pl.col("design_df"))
    pairs = pairs.with_columns(
        (pl.col("value") - pl.col("value_from")).alias("difference"),
        (v1 + v2).sqrt().alias("change_se"),
        pl.when(v1 + v2 > 0)
        .then(satterthwaite)
        .otherwise(pl.col("df_from") + pl.col("design_df"))
        .cast(pl.Float64)
        .alias("change_df"),
    )
    half = pl.col("change_se") * pl.Series(_t975(pairs.get_column("change_df")))
    return pairs.select(
        *keys,
        "from_period",
        pl.col("period").alias("to_period"),
        "value_from",
        pl.col("value").alias("value_to"),
        "difference",
        pl.col("change_se").alias("std_error"),
        pl.col("change_df").alias("satterthwaite_df"),
        (pl.col("difference") - half).alias("ci_low"),
        (pl.col("difference") + half).alias("ci_high"),
    ).with_columns(((pl.col("ci_low") > 0) | (pl.col("ci_high") < 0)).alias("distinguishable"))


def _t975(df: pl.Series) -> np.ndarray:
    """Two-sided 95 % t quantile; NaN where df is missing or not positive (as svy)."""
    values = df.fill_null(0.0).to_numpy()
    return np.where(values > 0, stdtrit(np.where(values > 0, values, 1.0), 0.975), np.nan)
