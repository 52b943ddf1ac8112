"""The carbon section, drawn from the fixture warehouse (the whole page: test_dashboard_site)."""

from __future__ import annotations

import html

import duckdb
import pytest

from assets.dashboards.labels import Words
from assets.dashboards.reads import Reads, read_all
from assets.dashboards.section_carbon import carbon_section, tonnes_range
from assets.reference.code_tables import read_code_table
from pipelines import project
from tests.test_dashboard_fixtures import build_warehouse, fleet_co2_monthly


@pytest.fixture(scope="module")
def carbon(tmp_path_factory):
    """The section alone, from the fixture warehouse's metrics and reference tables."""
    database = build_warehouse(tmp_path_factory.mktemp("carbon") / "w.duckdb")
    with duckdb.connect(str(database), read_only=True) as con:
        reads = read_all(con)
    return carbon_section(reads, Words("zh"))


def section_html(section) -> str:
    return "".join(section.parts)


def test_title_is_bilingual(carbon):
    assert carbon.title == "碳排放与减排潜力 Carbon: emissions and savings"


def test_gap_table_shows_co2_still_on_the_table_with_its_range(carbon):
    text = html.unescape(section_html(carbon))
    # taxis: 20 vehicles × 9.5 t = 190 t a year, 133 – 285 (6.65 shows as 6.7, 14.25 as 14.2)
    assert "<td>20</td><td>9.5 (6.7 – 14.2)</td><td>190.0 (133.0 – 285.0)</td>" in text
    assert "<td>0</td><td>17.2 (10.0 – 20.0)</td><td>0.0 (0.0 – 0.0)</td>" in text


def test_every_factor_is_listed_beside_the_charts_with_its_source(carbon):
    section = section_html(carbon)
    aside = section[section.index('<aside class="assumptions">') :]
    for name in ("emission_factors", "energy_intensity", "fleet_activity"):
        for row in read_code_table(project.REFERENCE_DIR, name).iter_rows(named=True):
            assert f"<td>{html.escape(row['code'])}</td>" in aside
            assert html.escape(f"{row['source']} ({row['source_year']})") in aside


def test_charts_carry_the_rows_of_the_metrics_tables(carbon):
    specs = {figure.chart_id: figure.spec for figure in carbon.figures}
    assert list(specs) == ["carbon_gap", "carbon_trend", "carbon_avoided"]
    trend = specs["carbon_trend"]
    values = trend["layer"][0]["data"]["values"] if "data" not in trend else trend["data"]["values"]
    expected = fleet_co2_monthly()
    assert [(v["period"], v["co2_t"], v["co2_t_high"]) for v in values] == list(
        expected.select("period", "co2_t", "co2_t_high").iter_rows()
    )
    gap = specs["carbon_gap"]
    gap_values = gap["layer"][0]["data"]["values"] if "data" not in gap else gap["data"]["values"]
    assert [v["co2_on_table_t"] for v in gap_values] == [0.0, 190.0]


def test_without_the_carbon_tables_the_section_says_why():
    missing = {
        "carbon_gap": "metrics.target_gap_co2 absent",
        "carbon_monthly": "metrics.fleet_co2_monthly absent",
        "carbon_factors": "reference.emission_factors absent",
    }
    reads = Reads(frames=dict.fromkeys(missing), missing=missing)
    section = carbon_section(reads, Words("en"))
    assert section.figures == []
    text = "".join(section.parts)
    assert "Not shown: CO2 of the target gaps (metrics.target_gap_co2 absent)" in text
    assert "Not shown: CO2 a month (metrics.fleet_co2_monthly absent)" in text
    assert "Not shown: factors (reference.emission_factors absent)" in text


@pytest.mark.parametrize(
    ("values", "shown"),
    [((190.0, 133.0, 285.0), "190.0 (133.0 – 285.0)"), ((None, None, None), "—"),
     ((12345.67, 1.04, 20000.0), "12,345.7 (1.0 – 20,000.0)")],
)  # fmt: skip
def test_tonnes_range(values, shown):
    assert tonnes_range(*values) == shown
