-- Km each trip of a representative day runs, and where the figure comes from.
-- grain: one row per feed version per trip running on a representative day
-- key: feed_version, trip_id
-- why: vehicle-km come, in order of preference, from shape_dist_traveled (last
--   minus first value, converted with the feed's unit from
--   intermediate.int_gtfs__sdt_units), from the trip's shape between its first
--   and last stop (intermediate.int_gtfs__shape_km), or from straight lines
--   between consecutive stops. A trip of fewer than two stops runs 0 km.
-- columns:
--   feed_version: sha256 of the zip
--   trip_id: GTFS trip_id
--   trip_km: km the trip runs
--   distance_rank: 1 shape_dist_traveled (or fewer than two stops), 2 shapes,
--     3 stop_to_stop

with

profiles as (
    select * from intermediate.int_gtfs__trip_profiles
),

trips as (
    select * from raw.gtfs_trips
),

sdt_units as (
    select * from intermediate.int_gtfs__sdt_units
),

shape_km as (
    select * from intermediate.int_gtfs__shape_km
)

select
    profiles.feed_version,
    profiles.trip_id,
    case
        when profiles.stop_count < 2 then 0.0
        when profiles.sdt_count >= 2 and profiles.sdt_span > 0
            then profiles.sdt_span * sdt_units.km_per_sdt_unit
        when shape_km.shape_km is not null then shape_km.shape_km
        else profiles.stop_to_stop_km
    end as trip_km,
    case
        when
            profiles.stop_count < 2
            or (profiles.sdt_count >= 2 and profiles.sdt_span > 0)
            then 1
        when shape_km.shape_km is not null then 2
        else 3
    end as distance_rank
from profiles
inner join trips
    on
        profiles.feed_version = trips.feed_version
        and profiles.trip_id = trips.trip_id
left join sdt_units
    on profiles.feed_version = sdt_units.feed_version
left join shape_km
    on
        trips.feed_version = shape_km.feed_version
        and trips.shape_id = shape_km.shape_id
        and profiles.first_stop_id = shape_km.first_stop_id
        and profiles.last_stop_id = shape_km.last_stop_id
