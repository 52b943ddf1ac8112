-- Bus ledger routes against GTFS routes, with scheduled weekday bus-km split by
--   the energy class of the buses assigned to each route.
-- grain: one row per period (accepted feed publication date) per route
-- key: period_date, route
-- why: bus_km_clean_share (docs/indicators.md) is evaluated at every
--   publication date d of an accepted feed version. The versions in effect on
--   d (intermediate.int_gtfs__feed_versions_in_effect, one per feed_name):
--   their bus routes' representative-weekday vehicle-km are summed per
--   route_short_name. The buses in service on d (newest accepted ledger:
--   in_service_on <= d and retired_on blank or > d) with a route are counted by
--   energy_class (intermediate.int_buses__energy_class), and each route's km
--   is split in proportion to them. A route without buses cannot be split:
--   it is listed as gtfs_route_without_bus and left out of the indicator, as
--   is a ledger route missing from GTFS (ledger_route_not_in_gtfs).
-- columns:
--   period_date: feed publication date the split is evaluated at
--   route: route short name
--   feed_names: feeds that contain the route
--   match_status: matched, gtfs_route_without_bus or ledger_route_not_in_gtfs
--   gtfs_routes: GTFS routes with this short name
--   weekday_bus_km: scheduled weekday bus-km of the route
--   buses: buses in service assigned to the route
--   new_energy_buses: of which new energy
--   clean_energy_buses: of which clean energy
--   conventional_buses: of which conventional
--   new_energy_km: bus-km attributed to new-energy buses
--   clean_energy_km: bus-km attributed to clean-energy buses
--   conventional_km: bus-km attributed to conventional buses

with

ledger as (
    select * from intermediate.int_buses__energy_class
),

feed_versions as (
    select * from intermediate.int_gtfs__feed_versions_in_effect
),

route_service as (
    select * from marts.fct_gtfs_route_service_daily
),

buses as (
    select
        ledger.in_service_on,
        ledger.retired_on,
        ledger.energy_class,
        nullif(trim(ledger.route_short_name), '') as route
    from ledger
),

periods as (
    select distinct in_effect_from as period_date from feed_versions
),

in_effect as (
    select
        periods.period_date,
        feed_versions.feed_version
    from periods
    inner join feed_versions
        on
            periods.period_date >= feed_versions.in_effect_from
            and (
                feed_versions.in_effect_until is null
                or periods.period_date < feed_versions.in_effect_until
            )
),

route_km as (
    select
        in_effect.period_date,
        trim(route_service.route_short_name) as route,
        string_agg(distinct route_service.feed_name, ', ') as feed_names,
        count(*) as gtfs_routes,
        sum(route_service.vehicle_km) as weekday_bus_km
    from in_effect
    inner join route_service
        on in_effect.feed_version = route_service.feed_version
    where
        route_service.day_type = 'weekday'
        and route_service.is_bus
        and route_service.route_short_name is not null
    group by in_effect.period_date, trim(route_service.route_short_name)
),

route_buses as (
    select
        periods.period_date,
        buses.route,
        count(*) as buses,
        count(*) filter (
            where buses.energy_class = 'new_energy'
        ) as new_energy_buses,
        count(*) filter (
            where buses.energy_class = 'clean_energy'
        ) as clean_energy_buses,
        count(*) filter (
            where buses.energy_class = 'conventional'
        ) as conventional_buses
    from periods
    inner join buses
        on
            periods.period_date >= buses.in_service_on
            and (
                buses.retired_on is null
                or periods.period_date < buses.retired_on
            )
    where buses.route is not null
    group by periods.period_date, buses.route
),

final as (
    -- columns in the order analysts read them
    select  -- noqa: ST06
        coalesce(route_km.period_date, route_buses.period_date) as period_date,
        coalesce(route_km.route, route_buses.route) as route,
        route_km.feed_names,
        case
            when route_km.route is null then 'ledger_route_not_in_gtfs'
            when route_buses.route is null then 'gtfs_route_without_bus'
            else 'matched'
        end as match_status,
        coalesce(route_km.gtfs_routes, 0) as gtfs_routes,
        route_km.weekday_bus_km,
        coalesce(route_buses.buses, 0) as buses,
        coalesce(route_buses.new_energy_buses, 0) as new_energy_buses,
        coalesce(route_buses.clean_energy_buses, 0) as clean_energy_buses,
        coalesce(route_buses.conventional_buses, 0) as conventional_buses,
        route_km.weekday_bus_km * route_buses.new_energy_buses
        / route_buses.buses as new_energy_km,
        route_km.weekday_bus_km * route_buses.clean_energy_buses
        / route_buses.buses as clean_energy_km,
        route_km.weekday_bus_km * route_buses.conventional_buses
        / route_buses.buses as conventional_km
    from route_km
    full outer join route_buses
        on
            route_km.period_date = route_buses.period_date
            and route_km.route = route_buses.route
)

select * from final
order by period_date, route
