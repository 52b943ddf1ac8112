"""Scheduled service per feed version and representative day: trips, hours, vehicle-km, headways.

The heavy lifting is DuckDB over raw.gtfs_* (window passes in DuckDB, where gtfs-kit's
compute_trip_stats works trip by trip in pandas; benchmarks/README.md compares them); only the
along-shape distances go through shapely. Definitions, per route and day:
- trips: trip instances that run that day (frequency-based trips expanded);
- first_departure / last_arrival: GTFS time text, may pass 24:00:00;
- service_hours: Σ (last arrival − first departure) of its trips;
- vehicle_km: Σ trip km (see distance.py); distance_source is the weakest source any trip used;
- peak_headway_min (departures from the first stop in [07:00, 09:00)) and offpeak_headway_min
  ([09:00, 17:00)): mean gap between consecutive departures, per direction, pooled like
  gtfs-kit's mean_headway; null with fewer than two departures in a direction.
"""

from __future__ import annotations

import duckdb
import polars as pl

from assets.gtfs.distance import sdt_units_by_feed, shape_trip_km
from assets.gtfs.service_days import prepare_service_days, register_temp_table
from pipelines.warehouse import fetch_frame

PEAK = (7 * 3600, 9 * 3600)
OFF_PEAK = (9 * 3600, 17 * 3600)
DISTANCE_SOURCES = ("shape_dist_traveled", "shapes", "stop_to_stop")

TRIP_PROFILES = """
create or replace temp table gtfs_trip_profiles as
with needed as (
    select distinct feed_version, trip_id from gtfs_day_trips
),
timed as (
    select
        stop_times.feed_version,
        stop_times.trip_id,
        stop_times.stop_sequence,
        stop_times.stop_id,
        gtfs_seconds(stop_times.arrival_time) as arrival_s,
        gtfs_seconds(stop_times.departure_time) as departure_s,
        stop_times.shape_dist_traveled,
        stops.stop_lat,
        stops.stop_lon
    from raw.gtfs_stop_times as stop_times
    semi join needed
        on stop_times.feed_version = needed.feed_version and stop_times.trip_id = needed.trip_id
    left join raw.gtfs_stops as stops
        on stop_times.feed_version = stops.feed_version and stop_times.stop_id = stops.stop_id
),
legs as (
    select
        *,
        haversine_km(
            lag(stop_lat) over trip_order, lag(stop_lon) over trip_order, stop_lat, stop_lon
        ) as leg_km
    from timed
    window trip_order as (partition by feed_version, trip_id order by stop_sequence)
)
select
    feed_version,
    trip_id,
    arg_min_null(coalesce(departure_s, arrival_s), stop_sequence) as first_departure_s,
    arg_max_null(coalesce(arrival_s, departure_s), stop_sequence) as last_arrival_s,
    arg_min(stop_id, stop_sequence) as first_stop_id,
    arg_min(stop_lat, stop_sequence) as first_lat,
    arg_min(stop_lon, stop_sequence) as first_lon,
    arg_max(stop_id, stop_sequence) as last_stop_id,
    arg_max(stop_lat, stop_sequence) as last_lat,
    arg_max(stop_lon, stop_sequence) as last_lon,
    count(shape_dist_traveled) as sdt_count,
    max(shape_dist_traveled) - min(shape_dist_traveled) as sdt_span,
    coalesce(sum(leg_km), 0) as stop_to_stop_km,
    count(*) as stop_count
from legs
group by feed_version, trip_id
"""

TRIP_KM = """
create or replace temp table gtfs_trip_km as
select
    profiles.feed_version,
    profiles.trip_id,
    case
        when profiles.stop_count < 2 then 0.0
        when profiles.sdt_count >= 2 and profiles.sdt_span > 0
            then profiles.sdt_span * units.km_per_sdt_unit
        when shape_km.shape_km is not null then shape_km.shape_km
        else profiles.stop_to_stop_km
    end as trip_km,
    case
        when profiles.stop_count < 2 or (profiles.sdt_count >= 2 and profiles.sdt_span > 0) then 1
        when shape_km.shape_km is not null then 2
        else 3
    end as distance_rank
from gtfs_trip_profiles as profiles
inner join raw.gtfs_trips as trips
    on profiles.feed_version = trips.feed_version and profiles.trip_id = trips.trip_id
left join gtfs_sdt_units as units
    on profiles.feed_version = units.feed_version
left join gtfs_shape_km as shape_km
    on trips.feed_version = shape_km.feed_version
    and trips.shape_id = shape_km.shape_id
    and profiles.first_stop_id = shape_km.first_stop_id
    and profiles.last_stop_id = shape_km.last_stop_id
"""

SHAPE_ENDS = """
select distinct
    trips.feed_version, trips.shape_id, profiles.first_stop_id, profiles.first_lat,
    profiles.first_lon, profiles.last_stop_id, profiles.last_lat, profiles.last_lon
from gtfs_trip_profiles as profiles
inner join raw.gtfs_trips as trips
    on profiles.feed_version = trips.feed_version and profiles.trip_id = trips.trip_id
where trips.shape_id is not null
    and not (profiles.sdt_count >= 2 and profiles.sdt_span > 0)
    and profiles.first_lat is not null and profiles.last_lat is not null
"""

SHAPE_POINTS = """
select
    shapes.feed_version, shapes.shape_id, shapes.shape_pt_sequence,
    shapes.shape_pt_lat, shapes.shape_pt_lon
from raw.gtfs_shapes as shapes
semi join gtfs_shape_ends as ends
    on shapes.feed_version = ends.feed_version and shapes.shape_id = ends.shape_id
"""


def prepare_trips(con: duckdb.DuckDBPyConnection) -> None:
    """Temp tables for the representative days' trips, each with its times and km."""
    prepare_service_days(con)
    con.execute(TRIP_PROFILES)
    profiles = fetch_frame(
        con, "select feed_version, sdt_span, stop_to_stop_km from gtfs_trip_profiles"
    )
    register_temp_table(con, "gtfs_sdt_units", sdt_units_by_feed(profiles))
    ends = fetch_frame(con, SHAPE_ENDS)
    register_temp_table(con, "gtfs_shape_ends", ends)
    points = fetch_frame(con, SHAPE_POINTS)
    register_temp_table(con, "gtfs_shape_km", shape_trip_km(points, ends))
    con.execute(TRIP_KM)


def sdt_units(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return fetch_frame(con, "select * from gtfs_sdt_units order by feed_version")
