"""Survey mappings: any mapped format becomes the same frames; unknown codes stop the load."""

import textwrap
from pathlib import Path

import duckdb
import polars as pl
import pytest

from assets.surveys.mapping import SCHEMA, MappingError, load_survey, read_mapping

TRIPS_CSV = """hh,who,leg,how,why,km,wt
1,1,1,BUS,W,2.5,10.5
1,1,2,WALK,H,0.4,10.5
2,1,1,CAR,W,8,7
2,1,2,??,H,8,7
"""
PERSONS_CSV = """hh,who,yrs,gender,pw
1,1,34,M,9.5
2,1,51,F,6
3,1,70,F,4
"""
MAPPING = """\
format: tiny
source: {kind: csv, folder: tiny, files: {persons: persons.csv, trips: trips.csv}}
columns:
  households: {wave_id: "'2020'", hh_id: hh, stratum: "'all'"}
  persons: {wave_id: "'2020'", hh_id: hh, person_no: who, age: yrs, sex: gender,
            person_weight: pw}
  trips: {wave_id: "'2020'", hh_id: hh, person_no: who, trip_no: leg, purpose: why,
          main_mode: how, distance_km: "CAST(km AS DOUBLE)", trip_weight: wt}
codes:
  main_mode: {BUS: 4, WALK: 1, CAR: 8, "??": null}
  purpose: {W: 1, H: 9}
  sex: {M: 1, F: 2}
"""


def write_tiny(root: Path, mapping: str = MAPPING, trips: str = TRIPS_CSV) -> Path:
    (root / "tiny").mkdir(parents=True, exist_ok=True)
    (root / "tiny" / "trips.csv").write_text(trips, encoding="utf-8")
    (root / "tiny" / "persons.csv").write_text(PERSONS_CSV, encoding="utf-8")
    path = root / "tiny.yaml"
    path.write_text(textwrap.dedent(mapping), encoding="utf-8")
    return path


def test_a_mapped_csv_survey_has_our_schema(tmp_path):
    frames = load_survey(read_mapping(write_tiny(tmp_path)), root=tmp_path)
    for entity in ("households", "persons", "trips"):
        assert getattr(frames, entity).schema == pl.Schema(SCHEMA[entity])


def test_codes_are_translated_onto_ours(tmp_path):
    frames = load_survey(read_mapping(write_tiny(tmp_path)), root=tmp_path)
    assert frames.trips.select("main_mode", "purpose").rows() == [(4, 1), (1, 9), (8, 1)]


def test_a_code_mapped_to_null_drops_the_trip_and_counts_it(tmp_path):
    frames = load_survey(read_mapping(write_tiny(tmp_path)), root=tmp_path)
    assert (frames.trips.height, frames.dropped_trips) == (3, 1)


def test_households_come_from_persons_when_the_survey_ships_none(tmp_path):
    frames = load_survey(read_mapping(write_tiny(tmp_path)), root=tmp_path)
    assert frames.households.get_column("hh_id").to_list() == ["1", "2", "3"]


def test_an_unmapped_code_stops_the_load_and_names_it(tmp_path):
    path = write_tiny(tmp_path, trips=TRIPS_CSV.replace("CAR", "TRAM"))
    with pytest.raises(MappingError, match=r"main_mode: codes not in the mapping: \['TRAM'\]"):
        load_survey(read_mapping(path), root=tmp_path)


def test_a_weight_that_is_not_positive_stops_the_load(tmp_path):
    path = write_tiny(tmp_path, trips=TRIPS_CSV.replace("10.5\n1,1,2", "0\n1,1,2"))
    with pytest.raises(MappingError, match="trip_weight: weights must be > 0"):
        load_survey(read_mapping(path), root=tmp_path)


def test_taicang_is_read_from_the_raw_tables_through_its_mapping():
    """Our own format is a mapping like the others: warehouse tables in, the same frames out."""
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute(
        "create table raw.survey_households as select '2024' as wave_id, 'h1' as hh_id, "
        "'320585100' as town_code, 2 as hh_size, 0 as cars, 1 as ebikes, 50.0 as hh_weight"
    )
    con.execute(
        "create table raw.survey_persons as select '2024' as wave_id, 'h1' as hh_id, "
        "1 as person_no, 40 as age, 2 as sex, 'x' as occupation, 50.0 as person_weight"
    )
    con.execute(
        "create table raw.survey_trips as select '2024' as wave_id, 'h1' as hh_id, "
        "1 as person_no, 1 as trip_no, '07:10' as depart_time, '07:30' as arrive_time, "
        "'320585100' as origin_town, '320585101' as dest_town, 1 as purpose, 3 as main_mode, "
        "4.2 as distance_km, 55.5 as trip_weight"
    )
    frames = load_survey(read_mapping("taicang_demo"), con=con)
    assert frames.households.row(0) == ("2024", "h1", "320585100", "320585100", 50.0)
    assert frames.trips.row(0) == ("2024", "h1", 1, 1, 1, 3, 4.2, 55.5)
