"""Service metrics on the hand-made Taicang feed, with expected values worked out by hand.

Sample feed (tests/fixtures/gtfs/taicang_mini), service WK Mon-Fri, SA, SU from 2025-07-01:
- 101 (shape_dist_traveled in metres, 17 000 per trip): weekday 07:00, 07:30, 08:00 and 23:50
  out, 07:15 and 08:15 back, 35 min each; the 23:50 trip arrives at 24:25:00.
- 102 (shape SH102, 12.94 km, no shape_dist_traveled): weekday 07:10 and 12:00, 30 min each.
- S1 (no shape, no distances: stop to stop, 5.28 km): frequencies.txt, 07:00-09:00 every
  20 min, 12 min each.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from assets.gtfs.distance import sdt_unit
from assets.gtfs.service_calendar import service_dates
from assets.gtfs.service_tables import FEED_DAILY, ROUTE_DAILY, build_service_tables
from pipelines.warehouse import fetch_frame
from tests.test_gtfs_fixtures import SAMPLE_FEED, load_feeds, zip_feed

ROUTE_COLUMNS = [
    "day_type",
    "service_date",
    "route_short_name",
    "trips",
    "first_departure",
    "last_arrival",
    "service_hours",
    "vehicle_km",
    "distance_source",
    "peak_headway_min",
    "offpeak_headway_min",
]


def service_table(con, table: str) -> pl.DataFrame:
    """The service tables built from the models on `con`, and `table` read back."""
    build_service_tables(con)
    return fetch_frame(con, f"select * from {table}")


@pytest.fixture
def sample_warehouse(tmp_path):
    sample_zip = zip_feed(SAMPLE_FEED, tmp_path / "gtfs" / "taicang_mini_20250701.zip")
    con = load_feeds([sample_zip], tmp_path)
    yield con
    con.close()


@pytest.fixture
def route_rows(sample_warehouse):
    frame = service_table(sample_warehouse, ROUTE_DAILY)
    return frame.sort("day_type", "route_short_name").select(ROUTE_COLUMNS).rows()


def test_route_service_on_representative_days(route_rows):
    weekday, saturday, sunday = dt.date(2025, 7, 1), dt.date(2025, 7, 5), dt.date(2025, 7, 6)
    expected = [
        ("saturday", saturday, "101", 3, "09:00:00", "10:35:00", 1.75, 51.0,
         "shape_dist_traveled", None, 60.0),
        ("sunday", sunday, "101", 1, "10:00:00", "10:35:00", 35 / 60, 17.0,
         "shape_dist_traveled", None, None),
        ("weekday", weekday, "101", 6, "07:00:00", "24:25:00", 3.5, 102.0,
         "shape_dist_traveled", 40.0, None),
        ("weekday", weekday, "102", 2, "07:10:00", "12:30:00", 1.0, 25.89,
         "shapes", None, None),
        ("weekday", weekday, "S1", 6, "07:00:00", "08:52:00", 1.2, 31.68,
         "stop_to_stop", 20.0, None),
    ]  # fmt: skip
    assert len(route_rows) == len(expected)
    for row, wanted in zip(route_rows, expected, strict=True):
        assert row[:6] == wanted[:6]
        assert row[6:8] == pytest.approx(wanted[6:8], abs=0.01)
        assert row[8:] == wanted[8:]


def test_make_up_working_sunday_is_not_the_representative_sunday(tmp_path):
    def make_up_day(name, text):  # 2025-09-28, a Sunday worked for National Day, runs WK
        return text + "WK,20250928,1\n" if name == "calendar_dates.txt" else text

    path = zip_feed(SAMPLE_FEED, tmp_path / "gtfs" / "taicang_mini_20250701.zip", edit=make_up_day)
    con = load_feeds([path], tmp_path)
    sundays = service_table(con, ROUTE_DAILY).filter(pl.col("day_type") == "sunday")
    assert sundays.select("service_date", "route_short_name", "trips").rows() == [
        (dt.date(2025, 7, 6), "101", 1)
    ]


def test_peak_headway_pools_both_directions_like_gtfs_kit(route_rows):
    # 101 peak: out 07:00, 07:30, 08:00 (gaps 30, 30), back 07:15, 08:15 (gap 60) → 120 / 3
    assert route_rows[2][9] == 40.0


def test_feed_totals_and_stops_per_town(sample_warehouse):
    feed = service_table(sample_warehouse, FEED_DAILY)
    weekday = feed.filter(pl.col("day_type") == "weekday")
    row = weekday.select(
        "routes", "trips", "service_hours", "vehicle_km", "bus_km", "stops_served"
    ).row(0)
    assert row[:2] == (3, 14)
    assert row[2:5] == pytest.approx((5.7, 159.57, 159.57), abs=0.01)
    assert row[5] == 7
    assert json.loads(weekday["stops_per_town"][0]) == {
        "城厢镇": 3,
        "沙溪镇": 1,
        "浏河镇": 1,
        "经济开发区": 1,
        "科教新城": 1,
    }


def test_holiday_removed_by_calendar_dates_has_no_service():
    calendar = pl.DataFrame(
        {
            "feed_version": ["v"],
            "service_id": ["WK"],
            **{day: [1] for day in ("monday", "tuesday", "wednesday", "thursday", "friday")},
            "saturday": [0],
            "sunday": [0],
            "start_date": ["20250929"],
            "end_date": ["20251005"],
        }
    )
    exceptions = pl.DataFrame(
        {
            "feed_version": ["v", "v"],
            "service_id": ["WK", "WK"],
            "date": ["20251001", "20251004"],
            "exception_type": [2, 1],
        }
    )
    dates = service_dates(calendar, exceptions)["service_date"].to_list()
    assert dates == [
        dt.date(2025, 9, 29),
        dt.date(2025, 9, 30),
        dt.date(2025, 10, 2),
        dt.date(2025, 10, 3),
        dt.date(2025, 10, 4),  # a Saturday made a working day
    ]


@pytest.mark.parametrize(
    ("metres_per_unit", "unit"),
    [(0.87, "m"), (1.2, "m"), (870.0, "km"), (1390.0, "mi"), (0.27, "ft")],
)
def test_distance_unit_is_read_from_straight_line_stop_spacing(metres_per_unit, unit):
    assert sdt_unit([metres_per_unit]) == unit


def test_times_past_midnight_count_in_the_day_they_start(sample_warehouse):
    build_service_tables(sample_warehouse)
    late = sample_warehouse.execute(
        "select first_departure_s, last_arrival_s from intermediate.int_gtfs__trip_profiles "
        "where trip_id = ?",
        ["T101_2350"],
    ).fetchall()
    assert late == [(23 * 3600 + 50 * 60, 24 * 3600 + 25 * 60)]
