"""Our DuckDB service metrics against gtfs-kit's compute_trip_stats / compute_route_stats.

On each real good feed and its representative weekday: trips per route are identical, service
hours agree to floating-point noise and vehicle-km to 0.1 % (our along-shape distances use a
local ellipsoidal plane per shape, gtfs-kit a UTM zone). Two deliberate differences are checked
rather than hidden:
- a trip without a usable shape has no gtfs-kit distance; ours falls back to stop to stop;
- with shape_dist_traveled, gtfs-kit takes the trip's largest value (assuming it starts at 0);
  we take last minus first, which differs on the gtfs2emis subsets whose trips were cut to an
  area and start mid-route. gtfs-kit's figure minus the first value is compared instead;
- a trip with a single stop time (also an artefact of those subsets) runs 0 km for us, where
  gtfs-kit gives 0 from shape_dist_traveled but the whole shape length from shapes.
"""

from __future__ import annotations

import gtfs_kit as gk
import polars as pl
import pytest

from assets.gtfs.distance import UNIT_METRES
from assets.gtfs.feed_reader import read_feed_content, to_gtfs_kit_feed
from assets.gtfs.service_tables import ROUTE_DAILY, SDT_UNITS, build_service_tables
from pipelines.warehouse import fetch_frame
from tests.test_gtfs_fixtures import copy_zip, load_feeds, real_feed, zip_feed

GOOD_FEEDS = {
    "cairns": ("gtfs_cairns", "cairns_gtfs.zip"),
    "nyc_subway": ("gtfs_nyc_subway_large", "nyc_subway.zip"),
    "hk_xrl": ("gtfs_hk_xrl_tiny", "gtfs"),
    "bra_cur": ("gtfs_fleet_gtfs2emis", "bra_cur_gtfs.zip"),
    "irl_dub": ("gtfs_fleet_gtfs2emis", "irl_dub_gtfs.zip"),
    "usa_det": ("gtfs_fleet_gtfs2emis", "usa_det_gtfs.zip"),
}


def _gtfs_kit_by_route(feed: gk.Feed, date: str, km_per_unit: float) -> pl.DataFrame:
    day = gk.restrict_to_dates(feed, [date])
    trip_stats = gk.compute_trip_stats(day)
    route_stats = gk.compute_route_stats(day, [date], trip_stats=trip_stats)
    trips = pl.from_pandas(
        trip_stats[["trip_id", "route_id", "num_stops", "distance"]], nan_to_null=True
    )
    if (
        "shape_dist_traveled" in day.stop_times
        and day.stop_times["shape_dist_traveled"].notna().any()
    ):
        starts = (
            day.stop_times.sort_values(["trip_id", "stop_sequence"])
            .groupby("trip_id", as_index=False)["shape_dist_traveled"]
            .min()
        )
        offsets = pl.from_pandas(starts, nan_to_null=True)
        trips = trips.join(offsets, on="trip_id", how="left").with_columns(
            pl.col("distance") - pl.col("shape_dist_traveled").fill_null(0) * km_per_unit
        )
    single_stop = pl.col("num_stops") < 2
    trips = trips.with_columns(
        pl.when(single_stop).then(0.0).otherwise("distance").alias("distance")
    )
    by_route = trips.group_by("route_id").agg(
        pl.len().alias("gk_trips"),
        pl.col("distance").sum().alias("gk_km"),
        pl.col("distance").is_null().any().alias("gk_km_missing"),
    )
    hours = pl.from_pandas(route_stats[["route_id", "service_duration"]])
    return by_route.join(hours, on="route_id", how="left").with_columns(
        pl.col("service_duration").fill_null(0.0).alias("gk_hours")
    )


@pytest.mark.parametrize("name", list(GOOD_FEEDS))
def test_weekday_route_stats_match_gtfs_kit(tmp_path, name):
    source = real_feed(*GOOD_FEEDS[name])
    target = tmp_path / "gtfs" / f"{name}_20200101.zip"
    path = copy_zip(source, target) if source.is_file() else zip_feed(source, target)
    con = load_feeds([path], tmp_path)
    build_service_tables(con)
    ours = fetch_frame(con, f"select * from {ROUTE_DAILY} where day_type = 'weekday'")
    units = fetch_frame(con, f"select * from {SDT_UNITS}")
    unit = units["sdt_unit"][0] if units.height else "km"
    date = ours["service_date"][0].strftime("%Y%m%d")
    feed = to_gtfs_kit_feed(read_feed_content(path.read_bytes()), dist_units=unit)
    theirs = _gtfs_kit_by_route(feed, date, UNIT_METRES[unit] / 1000)

    both = ours.join(theirs, on="route_id", how="full", coalesce=True)
    assert both.filter(pl.col("trips") != pl.col("gk_trips")).is_empty()
    assert both["trips"].null_count() == both["gk_trips"].null_count() == 0
    assert both["service_hours"].to_list() == pytest.approx(both["gk_hours"].to_list(), abs=1e-6)
    measured = both.filter(~pl.col("gk_km_missing"))
    assert measured["vehicle_km"].to_list() == pytest.approx(measured["gk_km"].to_list(), rel=1e-3)
    unmeasured = both.filter(pl.col("gk_km_missing"))
    assert set(unmeasured["distance_source"]) <= {"stop_to_stop"}
