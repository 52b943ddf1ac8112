"""marts.fct_gtfs_route_service_daily and marts.fct_gtfs_feed_service_daily, from the temp
tables of service.py. Route grain: one row per feed version × day type × route. Feed grain: one
row per feed version × day type, with the stops served counted per town of reference.town.
"""

from __future__ import annotations

import duckdb
import polars as pl

from assets.gtfs.service import DISTANCE_SOURCES, OFF_PEAK, PEAK, prepare_trips
from pipelines.warehouse import fetch_frame

# Bus in GTFS: route_type 3, trolleybus 11, and the extended bus types 700-799 and 800.
IS_BUS = "(routes.route_type in (3, 11, 800) or routes.route_type between 700 and 799)"
# distance_rank 1, 2, 3 (service.TRIP_KM) → its name; a route reports its weakest source.
DISTANCE_SOURCE = "list_extract({sources}, routes_daily.distance_rank)".format(
    sources="[" + ", ".join(f"'{source}'" for source in DISTANCE_SOURCES) + "]"
)
# A stop farther than this from every town centroid is outside the county.
TOWN_RADIUS_KM = 25.0

ROUTE_DAILY = f"""
with instances as (
    select
        day_trips.feed_version, day_trips.day_type, day_trips.service_date,
        day_trips.route_id, coalesce(day_trips.direction_id, -1) as direction,
        profiles.first_departure_s
            + coalesce(day_trips.frequency_start_s - profiles.first_departure_s, 0) as departs_s,
        profiles.last_arrival_s
            + coalesce(day_trips.frequency_start_s - profiles.first_departure_s, 0) as arrives_s,
        trip_km.trip_km,
        trip_km.distance_rank
    from gtfs_day_trips as day_trips
    inner join gtfs_trip_profiles as profiles
        on day_trips.feed_version = profiles.feed_version and day_trips.trip_id = profiles.trip_id
    inner join gtfs_trip_km as trip_km
        on day_trips.feed_version = trip_km.feed_version and day_trips.trip_id = trip_km.trip_id
),
windowed as (
    select
        *,
        case
            when departs_s >= {PEAK[0]} and departs_s < {PEAK[1]} then 'peak'
            when departs_s >= {OFF_PEAK[0]} and departs_s < {OFF_PEAK[1]} then 'off_peak'
        end as time_window
    from instances
),
directions as (
    select
        feed_version, day_type, route_id, direction, time_window,
        max(departs_s) - min(departs_s) as spread_s,
        count(*) - 1 as gaps
    from windowed
    where time_window is not null
    group by feed_version, day_type, route_id, direction, time_window
),
headways as (
    select
        feed_version, day_type, route_id,
        sum(spread_s) filter (where time_window = 'peak')
            / nullif(sum(gaps) filter (where time_window = 'peak'), 0) / 60 as peak_headway_min,
        sum(spread_s) filter (where time_window = 'off_peak')
            / nullif(sum(gaps) filter (where time_window = 'off_peak'), 0) / 60
            as offpeak_headway_min
    from directions
    group by feed_version, day_type, route_id
),
routes_daily as (
    select
        feed_version, day_type, service_date, route_id,
        count(*) as trips,
        min(departs_s) as first_departure_s,
        max(arrives_s) as last_arrival_s,
        sum(arrives_s - departs_s) / 3600.0 as service_hours,
        sum(trip_km) as vehicle_km,
        max(distance_rank) as distance_rank
    from instances
    group by feed_version, day_type, service_date, route_id
)
select
    routes_daily.feed_version, routes.feed_name, routes_daily.day_type, routes_daily.service_date,
    routes_daily.route_id, routes.route_short_name, routes.route_long_name, routes.route_type,
    {IS_BUS} as is_bus,
    routes_daily.trips,
    gtfs_time_text(routes_daily.first_departure_s) as first_departure,
    gtfs_time_text(routes_daily.last_arrival_s) as last_arrival,
    routes_daily.service_hours, routes_daily.vehicle_km,
    {DISTANCE_SOURCE} as distance_source,
    headways.peak_headway_min, headways.offpeak_headway_min
from routes_daily
inner join raw.gtfs_routes as routes
    on routes_daily.feed_version = routes.feed_version and routes_daily.route_id = routes.route_id
left join headways
    on routes_daily.feed_version = headways.feed_version
    and routes_daily.day_type = headways.day_type
    and routes_daily.route_id = headways.route_id
order by routes_daily.feed_version, routes_daily.day_type, routes_daily.route_id
"""

FEED_DAILY = f"""
with stops_served as (
    select distinct day_trips.feed_version, day_trips.day_type, stop_times.stop_id
    from gtfs_day_trips as day_trips
    inner join raw.gtfs_stop_times as stop_times
        on day_trips.feed_version = stop_times.feed_version
        and day_trips.trip_id = stop_times.trip_id
),
distances as (
    select
        stops.feed_version, stops.stop_id, town.code, town.label_zh,
        haversine_km(stops.stop_lat, stops.stop_lon, town.centroid_lat, town.centroid_lon) as km
    from raw.gtfs_stops as stops
    cross join reference.town as town
),
stop_towns as (
    select
        feed_version, stop_id,
        case when min(km) <= {TOWN_RADIUS_KM} then arg_min(code, km) end as town_code,
        case when min(km) <= {TOWN_RADIUS_KM} then arg_min(label_zh, km) end as town
    from distances
    group by feed_version, stop_id
),
per_town as (
    select
        stops_served.feed_version, stops_served.day_type,
        coalesce(stop_towns.town_code, '~') as town_code,
        coalesce(stop_towns.town, '(outside)') as town,
        count(*) as stops
    from stops_served
    left join stop_towns
        on stops_served.feed_version = stop_towns.feed_version
        and stops_served.stop_id = stop_towns.stop_id
    group by stops_served.feed_version, stops_served.day_type, town_code, town
),
towns as (
    select
        feed_version, day_type,
        cast(sum(stops) as bigint) as stops_served,
        to_json(map_from_entries(list(struct_pack(k := town, v := stops) order by town_code)))
            as stops_per_town
    from per_town
    group by feed_version, day_type
),
totals as (
    select
        feed_version, feed_name, day_type, service_date,
        count(*) as routes,
        cast(sum(trips) as bigint) as trips,
        sum(service_hours) as service_hours,
        sum(vehicle_km) as vehicle_km,
        coalesce(sum(vehicle_km) filter (where is_bus), 0) as bus_km
    from gtfs_route_daily
    group by feed_version, feed_name, day_type, service_date
)
select totals.*, towns.stops_served, cast(towns.stops_per_town as varchar) as stops_per_town
from totals
left join towns on totals.feed_version = towns.feed_version and totals.day_type = towns.day_type
order by totals.feed_version, totals.day_type
"""


def route_service_daily(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Builds the temp trip tables, then the route grain (kept as temp gtfs_route_daily)."""
    prepare_trips(con)
    con.execute(f"create or replace temp table gtfs_route_daily as {ROUTE_DAILY}")
    return fetch_frame(con, "select * from gtfs_route_daily")


def feed_service_daily(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Needs route_service_daily first (same connection)."""
    return fetch_frame(con, FEED_DAILY)
