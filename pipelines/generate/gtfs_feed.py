"""GTFS zips, one per feed version, each with its own way of giving distances.

The versions differ the way real feeds do: 2020 has no distance information at all (readers
must sum stop-to-stop distances), 2023 adds shapes.txt, 2025 adds shape_dist_traveled (km) in
shapes and stop_times plus feed_info.txt. Holidays swap weekday for weekend service in
calendar_dates.txt.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.generate import calibration as cal
from pipelines.generate.network import AGENCIES, Network
from pipelines.generate.timetable import build_timetable, route_id
from pipelines.generate.writers import write_zip

FEED_NAME = "taicang_bus"
PUBLISHER_URL = "https://www.taicang.gov.cn"


def _features(version: date) -> dict[str, bool]:
    index = cal.GTFS_VERSIONS.index(version)
    return {"shapes": index >= 1, "distances": index >= 2, "feed_info": index >= 2}


def _validity(version: date) -> tuple[date, date]:
    """A version runs until the next one is published (the last: to the end of next year)."""
    later = [v for v in cal.GTFS_VERSIONS if v > version]
    end = later[0] - timedelta(days=1) if later else date(version.year + 1, 12, 31)
    return version, end


def _calendar_dates(start: date, end: date) -> pl.DataFrame:
    rows = []
    for day in sorted(cal.HOLIDAYS + cal.MAKEUP_WORKDAYS):
        d = date.fromisoformat(day)
        if start <= d <= end:
            weekday_service = 1 if day in cal.MAKEUP_WORKDAYS else 2
            rows.append(("WD", d.strftime("%Y%m%d"), weekday_service))
            rows.append(("WE", d.strftime("%Y%m%d"), 3 - weekday_service))
    return pl.DataFrame(rows, schema=["service_id", "date", "exception_type"], orient="row")


def feed_tables(network: Network, version: date, rng: np.random.Generator) -> dict:
    features = _features(version)
    start, end = _validity(version)
    routes = network.routes_in(version)
    timetable = build_timetable(network, version, rng)
    agencies = sorted({r.agency_id for r in routes})
    tables = {
        "agency.txt": pl.DataFrame(
            {
                "agency_id": agencies,
                "agency_name": [AGENCIES[a] for a in agencies],
                "agency_url": PUBLISHER_URL,
                "agency_timezone": "Asia/Shanghai",
                "agency_lang": "zh",
            }
        ),
        "stops.txt": pl.DataFrame(
            {
                "stop_id": [s for r in routes for s in r.stop_ids],
                "stop_name": [s for r in routes for s in r.stop_names],
                "stop_lat": np.concatenate([r.lats for r in routes]),
                "stop_lon": np.concatenate([r.lons for r in routes]),
            }
        ),
        "routes.txt": pl.DataFrame(
            {
                "route_id": [route_id(r) for r in routes],
                "agency_id": [r.agency_id for r in routes],
                "route_short_name": [r.short_name for r in routes],
                "route_long_name": [r.long_name for r in routes],
                "route_type": 3,
            }
        ),
        "trips.txt": timetable["trips"].select(
            "route_id",
            "service_id",
            "trip_id",
            "trip_headsign",
            "direction_id",
            *(["shape_id"] if features["shapes"] else []),
        ),
        "stop_times.txt": timetable["stop_times"].select(
            "trip_id",
            "arrival_time",
            "departure_time",
            "stop_id",
            "stop_sequence",
            *(["shape_dist_traveled"] if features["distances"] else []),
        ),
        "calendar.txt": pl.DataFrame(
            {
                "service_id": ["WD", "WE"],
                "monday": [1, 0],
                "tuesday": [1, 0],
                "wednesday": [1, 0],
                "thursday": [1, 0],
                "friday": [1, 0],
                "saturday": [0, 1],
                "sunday": [0, 1],
                "start_date": start.strftime("%Y%m%d"),
                "end_date": end.strftime("%Y%m%d"),
            }
        ),
        "calendar_dates.txt": _calendar_dates(start, end),
    }
    if features["shapes"]:
        shapes = timetable["shapes"]
        tables["shapes.txt"] = (
            shapes if features["distances"] else shapes.drop("shape_dist_traveled")
        )
    if features["feed_info"]:
        tables["feed_info.txt"] = pl.DataFrame(
            {
                "feed_publisher_name": "太仓市交通运输局",
                "feed_publisher_url": PUBLISHER_URL,
                "feed_lang": "zh",
                "feed_start_date": [start.strftime("%Y%m%d")],
                "feed_end_date": end.strftime("%Y%m%d"),
                "feed_version": version.strftime("%Y.%m"),
            }
        )
    return tables


def write_feeds(network: Network, out_dir: Path, rng: np.random.Generator) -> list[str]:
    """One zip per version; returns the file names relative to `out_dir`."""
    names = []
    for version in network.versions:
        tables = feed_tables(network, version, rng)
        members = ((name, frame.write_csv().encode("utf-8")) for name, frame in tables.items())
        name = f"gtfs/{FEED_NAME}_{version.strftime('%Y%m%d')}.zip"
        write_zip(out_dir / name, members, version)
        names.append(name)
    return names
