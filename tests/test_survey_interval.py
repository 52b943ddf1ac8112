"""The design-based interval of a survey share, checked against a hand calculation.

Fixture: 2 strata (towns A, B) × 3 households, a few trips each; household b3 made no trip.
The share is R̂ = Σ w·y / Σ w·x (y = bus or rail, x = 1 for every trip). Taylor linearisation,
households as PSUs, with replacement within strata:

    z_hi  = Σ_j w_hij (y_hij − R̂ x_hij) / Σ w·x          (household i of stratum h)
    v(R̂) = Σ_h n_h/(n_h − 1) Σ_i (z_hi − z̄_h)²
    95 % interval = R̂ ± t_{0.975, df} √v(R̂),   df = #PSU − #strata = 6 − 2 = 4

n_h counts every sampled household, b3 included (its z is 0): leaving it out would understate
the variance. The quantile is Student's t on the design df, svy's default.
"""

import math

import polars as pl
import pytest
from scipy.stats import t as student_t

from assets.surveys.design import ALPHA, Measure, estimate, trip_frame

TRIPS = [  # hh_id, main_mode, trip_weight
    ("a1", 4, 10.0),
    ("a1", 8, 10.0),
    ("a1", 5, 12.0),
    ("a2", 1, 8.0),
    ("a2", 8, 8.0),
    ("a3", 4, 15.0),
    ("b1", 9, 20.0),
    ("b1", 4, 20.0),
    ("b2", 1, 5.0),
    ("b2", 5, 6.0),
    ("b2", 8, 7.0),
]
HOUSEHOLDS = [("a1", "A"), ("a2", "A"), ("a3", "A"), ("b1", "B"), ("b2", "B"), ("b3", "B")]
TRANSIT = {4, 5}


def hand_variance() -> tuple[float, float]:
    """R̂ and v(R̂) in plain Python, straight from the formula in the module docstring."""
    total = sum(w for _, _, w in TRIPS)
    share = sum(w for _, mode, w in TRIPS if mode in TRANSIT) / total
    z = {hh: 0.0 for hh, _ in HOUSEHOLDS}
    for hh, mode, w in TRIPS:
        z[hh] += w * ((mode in TRANSIT) - share) / total
    variance = 0.0
    for stratum in ("A", "B"):
        zs = [z[hh] for hh, s in HOUSEHOLDS if s == stratum]
        n, mean = len(zs), sum(zs) / len(zs)
        variance += n / (n - 1) * sum((zi - mean) ** 2 for zi in zs)
    return share, variance


@pytest.fixture
def transit_share() -> dict:
    households = pl.DataFrame(HOUSEHOLDS, schema=["hh_id", "stratum"], orient="row")
    households = households.with_columns(pl.lit(None, pl.String).alias("town_code"))
    trips = pl.DataFrame(TRIPS, schema=["hh_id", "main_mode", "trip_weight"], orient="row")
    frame = trip_frame(households, trips)
    measure = Measure(
        {"indicator_id": "transit_mode_share"},
        pl.col("main_mode").is_in(TRANSIT),
        pl.col("is_trip"),
    )
    return estimate(frame, [measure]).row(0, named=True)


def test_standard_error_matches_the_hand_linearised_variance(transit_share):
    _, variance = hand_variance()
    assert transit_share["std_error"] == pytest.approx(math.sqrt(variance), abs=1e-9)


def test_interval_is_t_on_psus_minus_strata(transit_share):
    share, variance = hand_variance()
    half = student_t.ppf(1 - ALPHA / 2, 6 - 2) * math.sqrt(variance)
    assert transit_share["design_df"] == 4
    assert transit_share["ci_low"] == pytest.approx(share - half, abs=1e-9)
    assert transit_share["ci_high"] == pytest.approx(share + half, abs=1e-9)


def test_value_is_the_plain_weighted_share(transit_share):
    assert transit_share["numerator"] == 10 + 12 + 15 + 20 + 6
    assert transit_share["denominator"] == sum(w for _, _, w in TRIPS)
    assert transit_share["value"] == transit_share["numerator"] / transit_share["denominator"]
    assert transit_share["sample_size"] == len(TRIPS)


def test_household_without_trips_counts_as_a_psu():
    """Dropping b3 changes n_B from 3 to 2 and so the variance: it must stay in."""
    households = pl.DataFrame(HOUSEHOLDS[:-1], schema=["hh_id", "stratum"], orient="row")
    households = households.with_columns(pl.lit(None, pl.String).alias("town_code"))
    trips = pl.DataFrame(TRIPS, schema=["hh_id", "main_mode", "trip_weight"], orient="row")
    measure = Measure({}, pl.col("main_mode").is_in(TRANSIT), pl.col("is_trip"))
    without_b3 = estimate(trip_frame(households, trips), [measure]).row(0, named=True)
    _, variance = hand_variance()
    assert without_b3["design_df"] == 3
    assert without_b3["std_error"] != pytest.approx(math.sqrt(variance), abs=1e-9)


def test_a_town_with_one_household_is_centred_not_fatal():
    """A single-household stratum has no within-stratum variance: svy's "center" rule (R's
    lonely.psu = "adjust") keeps the run going; the stratum still costs one design df."""
    households = pl.DataFrame(
        [("a1", "A"), ("a2", "A"), ("b1", "B")], schema=["hh_id", "stratum"], orient="row"
    ).with_columns(pl.lit(None, pl.String).alias("town_code"))
    trips = pl.DataFrame(
        [("a1", 4, 10.0), ("a2", 1, 8.0), ("b1", 4, 20.0), ("b1", 8, 5.0)],
        schema=["hh_id", "main_mode", "trip_weight"],
        orient="row",
    )
    measure = Measure({}, pl.col("main_mode").is_in(TRANSIT), pl.col("is_trip"))
    row = estimate(trip_frame(households, trips), [measure]).row(0, named=True)
    assert row["design_df"] == 3 - 2
    assert row["ci_low"] <= row["value"] <= row["ci_high"]


def test_measures_estimated_in_several_passes_keep_their_order_and_values(monkeypatch):
    """Three measures, one per pass: each row is the one it would be alone (transit: the
    hand variance above; walking (1) and all trips: plain weighted shares)."""
    from assets.surveys import design

    households = pl.DataFrame(HOUSEHOLDS, schema=["hh_id", "stratum"], orient="row")
    households = households.with_columns(pl.lit(None, pl.String).alias("town_code"))
    trips = pl.DataFrame(TRIPS, schema=["hh_id", "main_mode", "trip_weight"], orient="row")
    frame = trip_frame(households, trips)
    measures = [
        Measure({"m": "walk"}, pl.col("main_mode") == 1, pl.col("is_trip")),
        Measure({"m": "transit"}, pl.col("main_mode").is_in(TRANSIT), pl.col("is_trip")),
        Measure({"m": "all"}, pl.col("is_trip"), pl.col("is_trip")),
    ]
    monkeypatch.setattr(design, "MEASURES_PER_PASS", 1)
    rows = {r["m"]: r for r in estimate(frame, measures).iter_rows(named=True)}
    assert list(rows) == ["walk", "transit", "all"]
    share, variance = hand_variance()
    assert rows["transit"]["value"] == pytest.approx(share, abs=1e-12)
    assert rows["transit"]["std_error"] == pytest.approx(math.sqrt(variance), abs=1e-9)
    assert rows["walk"]["numerator"] == 8 + 5 and rows["walk"]["sample_size"] == len(TRIPS)
    assert rows["all"]["value"] == 1.0 and rows["all"]["std_error"] == pytest.approx(0, abs=1e-12)
