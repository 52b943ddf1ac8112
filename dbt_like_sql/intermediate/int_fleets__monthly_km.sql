-- Vehicle-km of the buses and urban taxis in each month, by powertrain.
-- grain: one row per fleet (bus, taxi) per month per powertrain with vehicles
-- key: fleet, period, powertrain
-- why: the activity behind the carbon view. Buses: the scheduled bus-km of the
--   GTFS feed versions in effect at period_end
--   (intermediate.int_gtfs__feed_versions_in_effect), each representative
--   weekday, Saturday and Sunday times the days of that type in the month up to
--   period_end (holidays and calendar exceptions are not modelled); each
--   route's km split over the powertrains of the buses in service on it at
--   period_end, as bus_km_clean_share splits it by energy class. Routes
--   without buses cannot be split and are left out (listed in
--   marts.fct_gtfs_route_reconciliation). Urban taxis (is_urban_taxi_scope, the
--   fleet of urban_taxi_nev_share): taxis in service × km a year / 12 from
--   reference.fleet_activity, with its low and high. Scheduled bus-km carry
--   no range (low = high = central).

with

months as (
    select * from intermediate.int_fleets__month_spine
),

fleet_in_service as (
    select * from intermediate.int_fleets__in_service_monthly
),

taxi_fleet as (
    select * from marts.fct_taxi_fleet_monthly
),

feed_versions as (
    select * from intermediate.int_gtfs__feed_versions_in_effect
),

route_service as (
    select * from marts.fct_gtfs_route_service_daily
),

activity as (
    select * from reference.fleet_activity
),

bus_months as (
    select
        period,
        period_end
    from months
    where fleet = 'bus'
),

in_effect as (
    select
        bus_months.period,
        feed_versions.feed_version
    from bus_months
    inner join feed_versions
        on
            bus_months.period_end >= feed_versions.in_effect_from
            and (
                feed_versions.in_effect_until is null
                or bus_months.period_end < feed_versions.in_effect_until
            )
),

service_days as (
    select
        period,
        unnest(
            generate_series(
                cast(date_trunc('month', period_end) as timestamp),
                cast(period_end as timestamp),
                interval 1 day
            )
        ) as service_day
    from bus_months
),

month_days as (
    select
        period,
        case isodow(service_day)
            when 6 then 'saturday'
            when 7 then 'sunday'
            else 'weekday'
        end as day_type,
        count(*) as service_days
    from service_days
    group by period, day_type
),

route_km as (
    select
        in_effect.period,
        trim(route_service.route_short_name) as route,
        sum(route_service.vehicle_km * month_days.service_days) as bus_km
    from in_effect
    inner join route_service
        on in_effect.feed_version = route_service.feed_version
    inner join month_days
        on
            in_effect.period = month_days.period
            and route_service.day_type = month_days.day_type
    where route_service.is_bus and route_service.route_short_name is not null
    group by in_effect.period, trim(route_service.route_short_name)
),

route_buses as (
    select
        period,
        powertrain,
        energy_class,
        route,
        vehicles_in_service as buses
    from fleet_in_service
    where fleet = 'bus' and route is not null
),

route_totals as (
    select
        period,
        route,
        sum(buses) as route_buses
    from route_buses
    group by period, route
),

bus_km as (
    select
        route_buses.period,
        route_buses.powertrain,
        route_buses.energy_class,
        sum(route_buses.buses) as vehicles,
        sum(route_km.bus_km * route_buses.buses / route_totals.route_buses)
            as vehicle_km
    from route_buses
    inner join route_totals
        on
            route_buses.period = route_totals.period
            and route_buses.route = route_totals.route
    inner join route_km
        on
            route_buses.period = route_km.period
            and route_buses.route = route_km.route
    group by
        route_buses.period,
        route_buses.powertrain,
        route_buses.energy_class
),

urban_taxis as (
    select
        period,
        powertrain,
        energy_class,
        sum(taxis_in_service) as vehicles
    from taxi_fleet
    where is_urban_taxi_scope
    group by period, powertrain, energy_class
),

fleet_km as (
    select
        'bus' as fleet,
        period,
        powertrain,
        energy_class,
        vehicles,
        vehicle_km,
        vehicle_km as vehicle_km_low,
        vehicle_km as vehicle_km_high
    from bus_km
    union all
    select
        'taxi' as fleet,
        urban_taxis.period,
        urban_taxis.powertrain,
        urban_taxis.energy_class,
        urban_taxis.vehicles,
        urban_taxis.vehicles * activity.value_central / 12 as vehicle_km,
        urban_taxis.vehicles * activity.value_low / 12 as vehicle_km_low,
        urban_taxis.vehicles * activity.value_high / 12 as vehicle_km_high
    from urban_taxis
    inner join activity
        on activity.code = 'taxi'
),

final as (
    select
        fleet_km.fleet,
        fleet_km.period,
        months.period_end,
        fleet_km.powertrain,
        fleet_km.energy_class,
        fleet_km.vehicles,
        fleet_km.vehicle_km,
        fleet_km.vehicle_km_low,
        fleet_km.vehicle_km_high
    from fleet_km
    inner join months
        on fleet_km.fleet = months.fleet and fleet_km.period = months.period
    where fleet_km.vehicles > 0
    order by fleet_km.fleet, fleet_km.period, fleet_km.powertrain
)

select * from final
