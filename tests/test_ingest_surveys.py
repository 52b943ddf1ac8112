"""raw.survey_* from a tiny hand-made wave: orphans, weights, clock times, speeds."""

from __future__ import annotations

import pytest

from assets.ingest.pseudonym import pseudonym_of
from assets.reference.assets import reference_tables
from assets.surveys.assets import raw_surveys
from tests.conftest import TEST_KEY, materialise, rows
from tests.source_files import write_csv

KEY = TEST_KEY.encode()
HH = "hh_id,town_code,hh_size,cars,ebikes,hh_weight"
PERSONS = "hh_id,person_no,age,sex,occupation,person_weight"
TRIPS = (
    "hh_id,person_no,trip_no,depart_time,arrive_time,origin_town,dest_town,purpose,"
    "main_mode,distance_km,trip_weight"
)
FILLER_TRIPS = [f"H1,1,{n},08:00,08:30,320585100,320585100,1,4,5,100" for n in range(10, 40)]


def _wave(workspace, trips, households=None, persons=None, wave="2024"):
    folder = workspace / "data_raw" / "surveys" / wave
    write_csv(
        folder / "households.csv",
        HH,
        households or ["H1,320585100,2,1,1,120.5", "H2,320585101,1,0,0,80"],
        "utf-8",
    )
    write_csv(
        folder / "persons.csv",
        PERSONS,
        persons or ["H1,1,40,1,worker,150", "H1,2,38,2,worker,150", "H2,1,70,2,retired,90"],
        "utf-8",
    )
    write_csv(folder / "trips.csv", TRIPS, trips, "gb18030")
    return materialise([reference_tables, raw_surveys], workspace / "w.duckdb")


def test_a_wave_loads_with_pseudonymised_respondents(workspace):
    con = _wave(workspace, ["H2,1,1,23:50,24:10,320585101,320585100,9,4,6.5,95.5"])
    assert rows(
        con,
        "select wave_id, hh_id, person_no, trip_no, depart_time, arrive_time, "
        "purpose, main_mode, distance_km, trip_weight from raw.survey_trips",
    ) == [("2024", pseudonym_of("H2", KEY), 1, 1, "23:50", "24:10", 9, 4, 6.5, 95.5)]
    assert rows(
        con, "select hh_id, town_code, hh_weight from raw.survey_households order by hh_weight"
    ) == [
        (pseudonym_of("H2", KEY), "320585101", 80.0),
        (pseudonym_of("H1", KEY), "320585100", 120.5),
    ]


@pytest.mark.parametrize(
    ("trip", "column", "reason"),
    [
        ("H9,1,1,08:00,08:20,,,1,1,1,100", "hh_id", "orphan: no household"),
        ("H1,3,1,08:00,08:20,,,1,1,1,100", "person_no", "orphan: no person"),
        ("H1,1,1,08:00,08:20,,,1,1,1,0", "trip_weight", "> 0"),
        ("H1,1,1,08:00,08:30,,,1,1,5.5,100", "distance_km", "impossible speed"),  # 11 km/h walk
        ("H1,1,1,08:00,08:30,,,1,2,18,100", "distance_km", "impossible speed"),  # 36 km/h bike
        ("H1,1,1,23:50,00:10,,,9,4,5,100", "arrive_time", "before departure"),
        ("H1,1,1,8h00,08:10,,,1,4,5,100", "depart_time", "HH:MM"),
        ("H1,1,1,08:00,08:30,,,1,13,5,100", "main_mode", "unknown travel_mode"),
        ("H1,1,10,08:00,08:30,,,1,4,5,100", "trip_no", "duplicate"),
    ],
)
def test_bad_trips_are_quarantined(workspace, trip, column, reason):
    con = _wave(workspace, FILLER_TRIPS + [trip])  # 1 of 31 = 3.2 %
    found = rows(con, "select file_name, row_number, column_name, reason from quality.quarantine")
    assert [(f, n, c) for f, n, c, _ in found] == [("surveys/2024/trips.csv", 31, column)]
    assert reason in found[0][3]


def test_walking_at_exactly_ten_kmh_is_plausible(workspace):
    con = _wave(workspace, FILLER_TRIPS + ["H1,1,1,08:00,08:30,,,1,1,5,100"])  # 5 km / 0.5 h
    assert rows(con, "select count(*) from quality.quarantine") == [(0,)]


def test_a_person_without_household_is_quarantined_and_so_are_their_trips(workspace):
    persons = (
        ["H1,1,40,1,w,150"] * 0 + [f"H1,{n},40,1,w,150" for n in range(1, 30)] + ["H7,1,40,1,w,150"]
    )
    trips = [f"H1,{n},1,08:00,08:30,,,1,4,5,100" for n in range(1, 30)] + [
        "H7,1,1,08:00,08:30,,,1,4,5,100"
    ]
    con = _wave(workspace, trips, persons=persons)
    assert rows(
        con, "select file_name, row_number, column_name from quality.quarantine order by file_name"
    ) == [
        ("surveys/2024/persons.csv", 30, "hh_id"),
        ("surveys/2024/trips.csv", 30, "hh_id"),
    ]


def test_zero_household_weight_is_quarantined(workspace):
    households = [f"H{n},320585100,1,0,0,10" for n in range(1, 25)] + ["H99,320585100,1,0,0,0"]
    con = _wave(workspace, FILLER_TRIPS, households=households)
    assert rows(con, "select file_name, row_number, column_name from quality.quarantine") == [
        ("surveys/2024/households.csv", 25, "hh_weight")
    ]


def test_every_file_balances(workspace):
    con = _wave(workspace, FILLER_TRIPS + ["H9,1,1,08:00,08:20,,,1,1,1,100"])
    assert rows(
        con,
        "select count(*) from audit.source_files where rows_read <> rows_loaded + rows_quarantined",
    ) == [(0,)]
    assert rows(con, "select file_name, rows_read from audit.source_files order by file_name") == [
        ("surveys/2024/households.csv", 2),
        ("surveys/2024/persons.csv", 3),
        ("surveys/2024/trips.csv", 31),
    ]
