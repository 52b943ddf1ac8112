"""Change of a share between consecutive waves: independent samples, var = v1 + v2."""

import datetime as dt
import math

import polars as pl
import pytest
from scipy.stats import t as student_t

from assets.surveys.estimation import share_change

ESTIMATES = pl.DataFrame(
    [  # measure, period, period_end, value, std_error, design_df
        ("transit_mode_share", "2019", dt.date(2019, 12, 31), 0.040, 0.004, 30),
        ("transit_mode_share", "2024", dt.date(2024, 12, 31), 0.055, 0.005, 50),
        ("transit_mode_share", "2021", dt.date(2021, 12, 31), 0.050, 0.006, 40),
        ("green_travel_share", "2019", dt.date(2019, 12, 31), 0.600, 0.020, 30),
        ("green_travel_share", "2021", dt.date(2021, 12, 31), 0.610, 0.020, 40),
    ],
    schema=["measure", "period", "period_end", "value", "std_error", "design_df"],
    orient="row",
)


@pytest.fixture
def changes() -> dict:
    frame = share_change(ESTIMATES, ["measure"])
    return {
        (r["measure"], r["from_period"], r["to_period"]): r for r in frame.iter_rows(named=True)
    }


def test_only_consecutive_waves_are_compared(changes):
    assert sorted(changes) == [
        ("green_travel_share", "2019", "2021"),
        ("transit_mode_share", "2019", "2021"),
        ("transit_mode_share", "2021", "2024"),
    ]


def test_difference_and_its_interval(changes):
    row = changes[("transit_mode_share", "2019", "2021")]
    v1, v2 = 0.004**2, 0.006**2
    df = (v1 + v2) ** 2 / (v1**2 / 30 + v2**2 / 40)  # Welch–Satterthwaite
    half = student_t.ppf(0.975, df) * math.sqrt(v1 + v2)
    assert row["difference"] == pytest.approx(0.010, abs=1e-12)
    assert row["std_error"] == pytest.approx(math.sqrt(v1 + v2), abs=1e-12)
    assert row["satterthwaite_df"] == pytest.approx(df, abs=1e-9)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((0.010 - half, 0.010 + half), abs=1e-9)


@pytest.mark.parametrize(
    ("key", "distinguishable"),
    [
        (("transit_mode_share", "2019", "2021"), False),  # +1.0 pp ± 1.4 pp
        (("green_travel_share", "2019", "2021"), False),  # +1 pp ± 5.6 pp
    ],
)
def test_distinguishable_only_when_the_interval_excludes_zero(changes, key, distinguishable):
    assert changes[key]["distinguishable"] is distinguishable


def test_a_large_change_is_distinguishable():
    frame = ESTIMATES.filter(pl.col("period") != "2021")
    (row,) = share_change(
        frame.filter(pl.col("measure") == "transit_mode_share"), ["measure"]
    ).rows(named=True)
    assert row["ci_low"] > 0 and row["distinguishable"] is True
