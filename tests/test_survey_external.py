"""Real surveys through their mappings: NHTS 2022 and PSRC 2017 (skipped when absent).

The data live outside the repo in shared/data/real (never copied in). Shares are recomputed
here in plain SQL straight over the CSV files, independently of the mapping and the estimator.
"""

from pathlib import Path

import duckdb
import pytest

from assets.reference.code_tables import read_code_table
from assets.surveys.analytics_assets import external_tables, survey_external
from assets.surveys.estimation import wave_estimates
from assets.surveys.mapping import load_survey, read_mapping
from pipelines import project
from pipelines.warehouse import replace_table
from tests.conftest import materialise

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
NHTS = REAL / "travel_survey_nhts_2022"
PSRC = REAL / "travel_survey_psrc_2017_daysim"
needs_nhts = pytest.mark.skipif(
    not (NHTS / "nhts22_trips.csv").exists(), reason=f"NHTS 2022 files not found under {NHTS}"
)
needs_psrc = pytest.mark.skipif(
    not (PSRC / "trip17.csv").exists(), reason=f"PSRC 2017 DaySim files not found under {PSRC}"
)


def reference() -> dict:
    return {name: read_code_table(project.REFERENCE_DIR, name) for name in ("travel_mode",)}


def indicators(name: str) -> dict:
    mapping = read_mapping(name)
    frames = load_survey(mapping, root=REAL)
    (wave,) = frames.trips.get_column("wave_id").unique().to_list()
    out = wave_estimates(wave, frames, mapping, reference()["travel_mode"])
    return {row["indicator_id"]: row for row in out["indicators"].iter_rows(named=True)}


@pytest.fixture(scope="module")
def nhts() -> dict:
    return indicators("nhts_2022")


@needs_nhts
def test_nhts_transit_share_matches_plain_sql_over_the_csv(nhts):
    """Transit = TRPTRANS 08 bus, 10 streetcar, 11 subway, 12 commuter rail (FHWA codebook)."""
    (share,) = duckdb.execute(
        "select sum(wttrdfin) filter (where trptrans in ('08', '10', '11', '12')) "
        "/ sum(wttrdfin) from read_csv(?, all_varchar = false, types = {'trptrans': 'varchar'})",
        [str(NHTS / "nhts22_trips.csv")],
    ).fetchone()
    assert nhts["transit_mode_share"]["value"] == pytest.approx(share, rel=1e-12)


@needs_nhts
def test_nhts_transit_modes_are_exactly_fhwa_public_transit_flag(nhts):
    (share,) = duckdb.execute(
        "select sum(wttrdfin) filter (where pubtrans = '01') / sum(wttrdfin) "
        "from read_csv(?, types = {'pubtrans': 'varchar'})",
        [str(NHTS / "nhts22_trips.csv")],
    ).fetchone()
    assert nhts["transit_mode_share"]["value"] == pytest.approx(share, rel=1e-12)


@needs_nhts
def test_nhts_interval_uses_households_in_twenty_strata(nhts):
    row = nhts["transit_mode_share"]
    assert row["design_df"] == 7893 - 20  # every responding household is a PSU
    assert row["ci_low"] < row["value"] < row["ci_high"]
    assert row["sample_size"] == 31074


@needs_psrc
def test_psrc_transit_share_matches_plain_sql_over_the_csv():
    (share,) = duckdb.execute(
        "select sum(trexpfac) filter (where mode in (6, 7)) / sum(trexpfac) from read_csv(?)",
        [str(PSRC / "trip17.csv")],
    ).fetchone()
    row = indicators("psrc_2017")["transit_mode_share"]
    assert row["value"] == pytest.approx(share, rel=1e-12)
    assert row["design_df"] == 771 - 1  # households with trips, one regional stratum


def test_not_configured_writes_empty_tables_and_says_so():
    written = external_tables(None, reference())
    assert written["survey_external.mode_share"].height == 0
    assert written["survey_external.indicator_shares"].height == 0
    assert set(written["survey_external.load_status"].get_column("status")) == {
        "skipped: not configured"
    }


def test_asset_succeeds_without_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("GREENTRACK_EXTERNAL_SURVEYS_DIR", raising=False)
    database = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        replace_table(con, "reference.travel_mode", reference()["travel_mode"])
        for name in ("town", "trip_purpose"):
            replace_table(con, f"reference.{name}", read_code_table(project.REFERENCE_DIR, name))
    with materialise([survey_external], database) as con:
        (rows,) = con.execute("select count(*) from survey_external.mode_share").fetchone()
    assert rows == 0


@needs_nhts
@needs_psrc
def test_configured_directory_publishes_both_surveys():
    written = external_tables(REAL, reference())
    modes = written["survey_external.mode_share"]
    assert sorted(set(modes.get_column("survey"))) == ["nhts_2022", "psrc_2017"]
    assert modes.height == 2 * 12
    assert set(written["survey_external.load_status"].get_column("status")) == {"loaded"}
