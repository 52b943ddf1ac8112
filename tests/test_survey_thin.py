"""The `thin` flag: fewer than 30 unweighted records in the denominator, or a CV above 30 %."""

import polars as pl
import pytest

from assets.surveys.design import finish


def finished(sample_size: int, value: float, se: float) -> dict:
    row = pl.DataFrame(
        {
            "numerator": [value * 1000.0],
            "denominator": [1000.0],
            "sample_size": [sample_size],
            "qualifying": [1],
            "est": [value],
            "se": [se],
            "df": [40],
            "half_width": [2.0 * se],
        }
    )
    return finish(row, upper=1.0).row(0, named=True)


@pytest.mark.parametrize(
    ("sample_size", "value", "se", "thin"),
    [
        (30, 0.40, 0.04, False),  # 30 trips, CV 10 %
        (29, 0.40, 0.04, True),  # one trip short
        (500, 0.10, 0.031, True),  # CV 31 %
        (500, 0.10, 0.030, False),  # CV exactly 30 %: not above it
        (500, 0.0, 0.0, True),  # share 0: CV undefined, cannot vouch for it
    ],
)
def test_thin_flag(sample_size, value, se, thin):
    assert finished(sample_size, value, se)["thin"] is thin


def test_interval_is_clipped_to_the_unit_range():
    row = finished(40, 0.02, 0.015)
    assert row["ci_low"] == 0.0
    assert row["ci_high"] == pytest.approx(0.05)


def test_empty_domain_has_no_value_and_no_interval():
    row = finish(
        pl.DataFrame(
            {
                "numerator": [0.0],
                "denominator": [0.0],
                "sample_size": [0],
                "qualifying": [0],
                "est": [None],
                "se": [None],
                "df": [4],
                "half_width": [None],
            },
            schema_overrides={"est": pl.Float64, "se": pl.Float64, "half_width": pl.Float64},
        ),
        upper=1.0,
    ).row(0, named=True)
    assert (row["value"], row["ci_low"], row["ci_high"], row["thin"]) == (None, None, None, True)
