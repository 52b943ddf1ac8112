-- Scheduled service per feed version and representative day.
-- grain: one row per feed version and day type
-- key: feed_version, day_type
-- why: the feed totals the dashboard shows, summed from
--   marts.fct_gtfs_route_service_daily, with the stops served that day
--   counted per town: each stop belongs to the nearest town centroid of
--   reference.town, or to "(outside)" when every centroid is farther than
--   25 km (outside the county).
-- columns:
--   feed_version: sha256 of the zip
--   feed_name: feed name
--   day_type: weekday, saturday or sunday
--   service_date: the representative date chosen
--   routes: routes with service that day
--   trips: trips that day
--   service_hours: service hours that day
--   vehicle_km: vehicle-km that day
--   bus_km: vehicle-km on bus routes
--   stops_served: stops with at least one stop time that day
--   stops_per_town: JSON object town label_zh → stops served (nearest town
--     centroid)

with

route_daily as (
    select * from marts.fct_gtfs_route_service_daily
),

day_trips as (
    select * from intermediate.int_gtfs__day_trips
),

stop_times as (
    select * from raw.gtfs_stop_times
),

town as (
    select * from reference.town
),

stops as (
    select * from raw.gtfs_stops
),

stops_served as (
    select distinct
        day_trips.feed_version,
        day_trips.day_type,
        stop_times.stop_id
    from day_trips
    inner join stop_times
        on
            day_trips.feed_version = stop_times.feed_version
            and day_trips.trip_id = stop_times.trip_id
),

distances as (
    select
        stops.feed_version,
        stops.stop_id,
        town.code,
        town.label_zh,
        haversine_km(
            stops.stop_lat, stops.stop_lon, town.centroid_lat, town.centroid_lon
        ) as km
    from stops
    cross join town
),

stop_towns as (
    select
        feed_version,
        stop_id,
        case when min(km) <= 25.0 then arg_min(code, km) end as town_code,
        case when min(km) <= 25.0 then arg_min(label_zh, km) end as town
    from distances
    group by feed_version, stop_id
),

per_town as (
    select
        stops_served.feed_version,
        stops_served.day_type,
        coalesce(stop_towns.town_code, '~') as town_code,
        coalesce(stop_towns.town, '(outside)') as town,
        count(*) as stops
    from stops_served
    left join stop_towns
        on
            stops_served.feed_version = stop_towns.feed_version
            and stops_served.stop_id = stop_towns.stop_id
    group by stops_served.feed_version, stops_served.day_type, town_code, town
),

towns as (
    select
        feed_version,
        day_type,
        cast(sum(stops) as bigint) as stops_served,
        to_json(map_from_entries(
            list(struct_pack(k := town, v := stops) order by town_code)
        )) as stops_per_town
    from per_town
    group by feed_version, day_type
),

totals as (
    -- columns in the order analysts read them
    select  -- noqa: ST06
        feed_version,
        feed_name,
        day_type,
        service_date,
        count(*) as routes,
        cast(sum(trips) as bigint) as trips,
        sum(service_hours) as service_hours,
        sum(vehicle_km) as vehicle_km,
        coalesce(sum(vehicle_km) filter (where is_bus), 0) as bus_km
    from route_daily
    group by feed_version, feed_name, day_type, service_date
)

select
    totals.*,
    towns.stops_served,
    cast(towns.stops_per_town as varchar) as stops_per_town
from totals
left join towns
    on
        totals.feed_version = towns.feed_version
        and totals.day_type = towns.day_type
order by totals.feed_version, totals.day_type
