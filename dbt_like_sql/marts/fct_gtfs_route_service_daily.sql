-- Scheduled service per route on a representative weekday, Saturday and Sunday
--   of each feed version.
-- grain: one row per feed version, day type and route
-- key: feed_version, day_type, route_id
-- why: the supply side of the bus indicators (bus-km by energy class in
--   marts.fct_gtfs_route_reconciliation). Per route and representative day
--   (intermediate.int_gtfs__representative_dates): trips are the trip instances
--   that run (frequency-based trips expanded); service_hours is the sum of
--   (last arrival - first departure) of its trips; vehicle_km the sum of trip
--   km (intermediate.int_gtfs__trip_km), distance_source the weakest source any
--   trip used; peak (departures from the first stop in [07:00, 09:00)) and
--   off-peak ([09:00, 17:00)) headways are the mean gap between consecutive
--   departures, per direction, pooled like gtfs-kit's mean_headway, and null
--   with fewer than two departures in a direction. Bus in GTFS: route_type 3,
--   trolleybus 11, and the extended bus types 700-799 and 800.
-- columns:
--   feed_version: sha256 of the zip
--   feed_name: feed name
--   day_type: weekday, saturday or sunday
--   service_date: the representative date chosen
--   route_id: GTFS route_id
--   route_short_name: GTFS route_short_name (matches the bus ledger's 线路)
--   route_long_name: GTFS route_long_name
--   route_type: GTFS route_type
--   is_bus: route_type is bus (3 or 7xx)
--   trips: trips operated that day
--   first_departure: first departure (HH:MM:SS, may pass 24:00)
--   last_arrival: last arrival (HH:MM:SS, may pass 24:00)
--   service_hours: sum of trip durations in hours
--   vehicle_km: sum of trip distances in km
--   distance_source: shape_dist_traveled, shapes or stop_to_stop
--   peak_headway_min: mean headway 07:00–09:00 in minutes
--   offpeak_headway_min: mean headway 09:00–17:00 in minutes

with

day_trips as (
    select * from intermediate.int_gtfs__day_trips
),

profiles as (
    select * from intermediate.int_gtfs__trip_profiles
),

trip_km as (
    select * from intermediate.int_gtfs__trip_km
),

routes as (
    select * from raw.gtfs_routes
),

-- a frequency-based instance keeps the trip's times, shifted to its departure
instances as (
    select
        day_trips.feed_version,
        day_trips.day_type,
        day_trips.service_date,
        day_trips.route_id,
        trip_km.trip_km,
        trip_km.distance_rank,
        coalesce(day_trips.direction_id, -1) as direction,
        profiles.first_departure_s
        + coalesce(
            day_trips.frequency_start_s - profiles.first_departure_s, 0
        ) as departs_s,
        profiles.last_arrival_s
        + coalesce(
            day_trips.frequency_start_s - profiles.first_departure_s, 0
        ) as arrives_s
    from day_trips
    inner join profiles
        on
            day_trips.feed_version = profiles.feed_version
            and day_trips.trip_id = profiles.trip_id
    inner join trip_km
        on
            day_trips.feed_version = trip_km.feed_version
            and day_trips.trip_id = trip_km.trip_id
),

windowed as (
    select
        *,
        case
            when departs_s >= 7 * 3600 and departs_s < 9 * 3600 then 'peak'
            when departs_s >= 9 * 3600 and departs_s < 17 * 3600 then 'off_peak'
        end as time_window
    from instances
),

directions as (
    select
        feed_version,
        day_type,
        route_id,
        direction,
        time_window,
        max(departs_s) - min(departs_s) as spread_s,
        count(*) - 1 as gaps
    from windowed
    where time_window is not null
    group by feed_version, day_type, route_id, direction, time_window
),

headways as (
    select
        feed_version,
        day_type,
        route_id,
        sum(spread_s) filter (where time_window = 'peak')
        / nullif(sum(gaps) filter (where time_window = 'peak'), 0)
        / 60 as peak_headway_min,
        sum(spread_s) filter (where time_window = 'off_peak')
        / nullif(sum(gaps) filter (where time_window = 'off_peak'), 0)
        / 60 as offpeak_headway_min
    from directions
    group by feed_version, day_type, route_id
),

routes_daily as (
    select
        feed_version,
        day_type,
        service_date,
        route_id,
        count(*) as trips,
        min(departs_s) as first_departure_s,
        max(arrives_s) as last_arrival_s,
        sum(arrives_s - departs_s) / 3600.0 as service_hours,
        sum(trip_km) as vehicle_km,
        max(distance_rank) as distance_rank
    from instances
    group by feed_version, day_type, service_date, route_id
),

final as (
    -- columns in the order analysts read them
    select  -- noqa: ST06
        routes_daily.feed_version,
        routes.feed_name,
        routes_daily.day_type,
        routes_daily.service_date,
        routes_daily.route_id,
        routes.route_short_name,
        routes.route_long_name,
        routes.route_type,
        (
            routes.route_type in (3, 11, 800)
            or routes.route_type between 700 and 799
        ) as is_bus,
        routes_daily.trips,
        gtfs_time_text(routes_daily.first_departure_s) as first_departure,
        gtfs_time_text(routes_daily.last_arrival_s) as last_arrival,
        routes_daily.service_hours,
        routes_daily.vehicle_km,
        list_extract(
            ['shape_dist_traveled', 'shapes', 'stop_to_stop'],
            routes_daily.distance_rank
        ) as distance_source,
        headways.peak_headway_min,
        headways.offpeak_headway_min
    from routes_daily
    inner join routes
        on
            routes_daily.feed_version = routes.feed_version
            and routes_daily.route_id = routes.route_id
    left join headways
        on
            routes_daily.feed_version = headways.feed_version
            and routes_daily.day_type = headways.day_type
            and routes_daily.route_id = headways.route_id
)

select * from final
order by feed_version, day_type, route_id
