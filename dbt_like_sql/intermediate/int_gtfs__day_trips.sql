-- The trip instances that run on each feed version's representative days.
-- grain: one row per feed version per day type per trip per departure of a
--   frequency-based trip (one row for a trip with fixed times)
-- key: feed_version, day_type, trip_id, frequency_start_s
-- why: the service metrics count what runs on the representative day. A trip
--   defined by frequencies.txt is expanded into one instance per departure
--   (start_time, start_time + headway, ... before end_time); its stop times
--   are shifted to each departure downstream.
-- columns:
--   feed_version: sha256 of the zip
--   day_type: weekday, saturday or sunday
--   service_date: the representative date
--   trip_id: GTFS trip_id
--   route_id: GTFS route_id of the trip
--   direction_id: GTFS direction_id (null when the feed gives none)
--   shape_id: GTFS shape_id (null when the feed gives none)
--   frequency_start_s: this instance's departure in seconds after midnight
--     (null for a trip with fixed times)

with

representative_dates as (
    select * from intermediate.int_gtfs__representative_dates
),

service_dates as (
    select * from intermediate.int_gtfs__service_dates
),

trips as (
    select * from raw.gtfs_trips
),

frequencies as (
    select * from raw.gtfs_frequencies
),

frequency_starts as (
    select
        feed_version,
        trip_id,
        unnest(generate_series(
            gtfs_seconds(start_time),
            gtfs_seconds(end_time) - 1,
            cast(headway_secs as bigint)
        )) as start_s
    from frequencies
    where headway_secs > 0
)

select
    representative_dates.feed_version,
    representative_dates.day_type,
    representative_dates.service_date,
    trips.trip_id,
    trips.route_id,
    trips.direction_id,
    trips.shape_id,
    frequency_starts.start_s as frequency_start_s
from representative_dates
inner join service_dates
    on
        representative_dates.feed_version = service_dates.feed_version
        and representative_dates.service_date = service_dates.service_date
inner join trips
    on
        service_dates.feed_version = trips.feed_version
        and service_dates.service_id = trips.service_id
left join frequency_starts
    on
        trips.feed_version = frequency_starts.feed_version
        and trips.trip_id = frequency_starts.trip_id
