-- Times, end stops and distances of each trip running on a representative day.
-- grain: one row per feed version per trip running on a representative day
-- key: feed_version, trip_id
-- why: the one pass over stop_times the service metrics need. Times are
--   seconds after midnight (may pass 24 h); first departure and last arrival
--   fall back to the other time of the stop when one is blank. The span of
--   shape_dist_traveled (unit still unknown) and the straight-line km between
--   consecutive stops are the inputs of the unit guess and the trip km
--   (intermediate.int_gtfs__sdt_units, intermediate.int_gtfs__trip_km).
-- columns:
--   feed_version: sha256 of the zip
--   trip_id: GTFS trip_id
--   first_departure_s: departure from the first stop, seconds after midnight
--   last_arrival_s: arrival at the last stop, seconds after midnight
--   first_stop_id: stop_id of the first stop
--   first_lat: latitude of the first stop
--   first_lon: longitude of the first stop
--   last_stop_id: stop_id of the last stop
--   last_lat: latitude of the last stop
--   last_lon: longitude of the last stop
--   sdt_count: stop times with a shape_dist_traveled
--   sdt_span: last minus first shape_dist_traveled, in the feed's unit
--   stop_to_stop_km: km of straight lines between consecutive stops
--   stop_count: stop times of the trip

with

day_trips as (
    select * from intermediate.int_gtfs__day_trips
),

stop_times as (
    select * from raw.gtfs_stop_times
),

stops as (
    select * from raw.gtfs_stops
),

needed as (
    select distinct
        feed_version,
        trip_id
    from day_trips
),

timed as (
    select
        stop_times.feed_version,
        stop_times.trip_id,
        stop_times.stop_sequence,
        stop_times.stop_id,
        stop_times.shape_dist_traveled,
        stops.stop_lat,
        stops.stop_lon,
        gtfs_seconds(stop_times.arrival_time) as arrival_s,
        gtfs_seconds(stop_times.departure_time) as departure_s
    from stop_times
    semi join needed
        on
            stop_times.feed_version = needed.feed_version
            and stop_times.trip_id = needed.trip_id
    left join stops
        on
            stop_times.feed_version = stops.feed_version
            and stop_times.stop_id = stops.stop_id
),

legs as (
    select
        *,
        haversine_km(
            lag(stop_lat) over trip_order,
            lag(stop_lon) over trip_order,
            stop_lat,
            stop_lon
        ) as leg_km
    from timed
    window trip_order as (
        partition by feed_version, trip_id order by stop_sequence
    )
)

select
    feed_version,
    trip_id,
    arg_min_null(coalesce(departure_s, arrival_s), stop_sequence)
        as first_departure_s,
    arg_max_null(coalesce(arrival_s, departure_s), stop_sequence)
        as last_arrival_s,
    arg_min(stop_id, stop_sequence) as first_stop_id,
    arg_min(stop_lat, stop_sequence) as first_lat,
    arg_min(stop_lon, stop_sequence) as first_lon,
    arg_max(stop_id, stop_sequence) as last_stop_id,
    arg_max(stop_lat, stop_sequence) as last_lat,
    arg_max(stop_lon, stop_sequence) as last_lon,
    count(shape_dist_traveled) as sdt_count,
    max(shape_dist_traveled) - min(shape_dist_traveled)
        as sdt_span,
    coalesce(sum(leg_km), 0) as stop_to_stop_km,
    count(*) as stop_count
from legs
group by feed_version, trip_id
