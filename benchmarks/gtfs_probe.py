"""GTFS trip and route stats: ours against gtfs-kit's own, on the largest real feed.

Both sides compute per-trip stats and per-route totals (trips, service hours, vehicle-km) for
the feed's representative weekday. Loading is timed separately: ours parses, validates and
writes raw.gtfs_* into DuckDB; gtfs-kit's read_feed only parses.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

SHARED_REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
LARGEST_FEED = SHARED_REAL / "gtfs_nyc_subway_large" / "nyc_subway.zip"


def gtfs_probe() -> dict:
    if not LARGEST_FEED.exists():
        return {"skipped": f"{LARGEST_FEED} absent (a fresh clone without ../shared)"}
    import duckdb
    import gtfs_kit as gk
    import polars as pl

    from assets.gtfs.feed_frames import empty_raw_frame
    from assets.gtfs.feed_reader import read_feed_content, to_gtfs_kit_feed
    from assets.gtfs.ingest import ingest_feed_files
    from assets.gtfs.service_tables import ROUTE_DAILY, SDT_UNITS, build_service_tables
    from assets.gtfs.tables import LOADED_TABLES, raw_table_name
    from assets.ingest.store import write_outcomes
    from assets.reference.code_tables import read_code_table
    from pipelines import project
    from pipelines.warehouse import fetch_frame, replace_table

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "gtfs" / "nyc_subway_20200101.zip"
        path.parent.mkdir(parents=True)
        path.write_bytes(LARGEST_FEED.read_bytes())
        started = time.perf_counter()
        outcomes, _ = ingest_feed_files([path], Path(scratch), dt.datetime(2026, 1, 1))
        con = duckdb.connect()
        empty = {raw_table_name(t): empty_raw_frame(t) for t in LOADED_TABLES}
        write_outcomes(con, "gtfs", outcomes, empty, "bench", dt.datetime(2026, 1, 1))
        replace_table(con, "reference.town", read_code_table(project.REFERENCE_DIR, "town"))
        ours_load = time.perf_counter() - started
        started = time.perf_counter()
        build_service_tables(con)
        ours = fetch_frame(con, f"select * from {ROUTE_DAILY} where day_type = 'weekday'")
        ours_stats = time.perf_counter() - started
        date = ours["service_date"][0].strftime("%Y%m%d")
        units = fetch_frame(con, f"select * from {SDT_UNITS}")
        unit = units["sdt_unit"][0] if units.height else "km"

        started = time.perf_counter()
        feed = to_gtfs_kit_feed(read_feed_content(path.read_bytes()), dist_units=unit)
        kit_load = time.perf_counter() - started
        started = time.perf_counter()
        trip_stats = gk.compute_trip_stats(feed)
        route_stats = gk.compute_route_stats(feed, [date], trip_stats=trip_stats)
        kit_stats = time.perf_counter() - started
    theirs = pl.from_pandas(route_stats[["route_id", "num_trips", "service_duration"]])
    both = ours.select("route_id", "trips", "service_hours").join(
        theirs, on="route_id", how="full", coalesce=True
    )
    identical = both.filter(pl.col("trips") != pl.col("num_trips")).is_empty() and (
        both["trips"].null_count() == both["num_trips"].null_count() == 0
    )
    hours_gap = (both["service_hours"] - both["service_duration"]).abs().max()
    return {
        "feed": LARGEST_FEED.name,
        "date": date,
        "routes": both.height,
        "ours_load_seconds": round(ours_load, 2),
        "ours_seconds": round(ours_stats, 3),
        "gtfs_kit_load_seconds": round(kit_load, 2),
        "gtfs_kit_seconds": round(kit_stats, 2),
        "ratio": round(ours_stats / kit_stats, 4),
        "ratio_including_load": round((ours_load + ours_stats) / (kit_load + kit_stats), 3),
        "trips_per_route_identical": identical,
        "max_service_hours_difference": hours_gap,
    }
