-- Shapes whose length between two stops gives a trip's km, with the stops.
-- grain: one row per feed version per shape per pair of first and last stop
--   of a trip without a usable shape_dist_traveled
-- key: feed_version, shape_id, first_stop_id, last_stop_id
-- why: a trip without shape_dist_traveled runs, as gtfs-kit measures it, the
--   length of its shape between the projections of its first and last stop;
--   the measure needs shapely (the Python asset writing
--   intermediate.int_gtfs__shape_km), which reads the pairs listed here.
-- columns:
--   feed_version: sha256 of the zip
--   shape_id: GTFS shape_id
--   first_stop_id: stop_id of the trips' first stop
--   first_lat: latitude of the first stop
--   first_lon: longitude of the first stop
--   last_stop_id: stop_id of the trips' last stop
--   last_lat: latitude of the last stop
--   last_lon: longitude of the last stop

with

profiles as (
    select * from intermediate.int_gtfs__trip_profiles
),

trips as (
    select * from raw.gtfs_trips
)

select distinct
    trips.feed_version,
    trips.shape_id,
    profiles.first_stop_id,
    profiles.first_lat,
    profiles.first_lon,
    profiles.last_stop_id,
    profiles.last_lat,
    profiles.last_lon
from profiles
inner join trips
    on
        profiles.feed_version = trips.feed_version
        and profiles.trip_id = trips.trip_id
where
    trips.shape_id is not null
    and not (profiles.sdt_count >= 2 and profiles.sdt_span > 0)
    and profiles.first_lat is not null
    and profiles.last_lat is not null
