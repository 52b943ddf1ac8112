"""Every carbon factor is data with a cited source, a year and an honest range."""

import polars as pl
import pytest

from assets.reference.code_tables import read_code_table
from pipelines import project

FACTOR_TABLES = ("emission_factors", "energy_intensity", "fleet_activity")


@pytest.mark.parametrize("name", FACTOR_TABLES)
def test_every_row_names_its_source_and_year(name):
    table = read_code_table(project.REFERENCE_DIR, name)
    assert table.height > 0
    assert (
        table.filter(pl.col("source").is_null() | (pl.col("source").str.strip_chars() == ""))[
            "code"
        ].to_list()
        == []
    )
    assert table["source_year"].is_between(1990, 2030).all()


@pytest.mark.parametrize("name", FACTOR_TABLES)
def test_low_le_central_le_high(name):
    table = read_code_table(project.REFERENCE_DIR, name)
    broken = table.filter(
        ~(pl.col("value_low") <= pl.col("value_central"))
        | ~(pl.col("value_central") <= pl.col("value_high"))
        | pl.col("value_low").is_null()
    )
    assert broken["code"].to_list() == []


def test_intensities_use_known_carriers_and_fleets():
    carriers = set(read_code_table(project.REFERENCE_DIR, "emission_factors")["code"])
    fleets = read_code_table(project.REFERENCE_DIR, "fleet_activity")
    intensity = read_code_table(project.REFERENCE_DIR, "energy_intensity")
    assert set(intensity["carrier"]) <= carriers
    assert set(intensity["fleet"]) == set(fleets["code"])
    powertrains = set(read_code_table(project.REFERENCE_DIR, "powertrain")["powertrain"])
    assert set(intensity["powertrain"]) <= powertrains
    # the conventional and replacement vehicles of each fleet have an intensity to compare
    for row in fleets.iter_rows(named=True):
        for powertrain in (row["conventional_powertrain"], row["replacement_powertrain"]):
            assert intensity.filter(
                (pl.col("fleet") == row["code"]) & (pl.col("powertrain") == powertrain)
            ).height, (row["code"], powertrain)


def test_national_grid_factor_is_the_published_2022_value():
    grid = read_code_table(project.REFERENCE_DIR, "emission_factors").filter(
        pl.col("code") == "electricity"
    )
    assert grid.select("value_central", "value_high", "source_year").row(0) == (
        0.5366,
        0.5856,
        2022,
    )
