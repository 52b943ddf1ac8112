-- Buses and taxis in service at each month's evaluation day, counted by the
--   groups the fleet marts and the bus-km split report.
-- grain: one row per fleet per month per group (buses: route; taxis:
--   taxi_kind and operating_area) per powertrain with vehicles in service
-- key: fleet, period, route, taxi_kind, operating_area, powertrain,
--   energy_class
-- why: fleet(d) of bus_clean_share and urban_taxi_nev_share
--   (docs/indicators.md): a vehicle is in service on d when
--   in_service_on <= d and it has not left (retired_on for a bus, exited_on
--   for a taxi: blank or after d), so one that leaves on d is out and one that
--   starts on d is in. Evaluated once here at period_end of
--   intermediate.int_fleets__month_spine for marts.fct_bus_fleet_monthly,
--   marts.fct_taxi_fleet_monthly and intermediate.int_fleets__monthly_km. A
--   bus's route is trimmed and null when blank.
-- columns:
--   fleet: bus or taxi
--   period: calendar month YYYY-MM
--   route: a bus's 线路 (trimmed; null when blank); null for taxis
--   taxi_kind: a taxi's 车辆类型 (巡游出租车, 网约车); null for buses
--   operating_area: a taxi's 经营区域; null for buses
--   powertrain: powertrain code (reference.powertrain)
--   energy_class: new_energy, clean_energy, conventional or unknown
--   vehicles_in_service: vehicles of the group in service on the month's
--     evaluation day (period_end of intermediate.int_fleets__month_spine)

with

months as (
    select * from intermediate.int_fleets__month_spine
),

buses as (
    select * from intermediate.int_buses__energy_class
),

taxis as (
    select * from intermediate.int_taxis__energy_class
),

vehicles as (
    select
        'bus' as fleet,
        nullif(trim(route_short_name), '') as route,
        cast(null as varchar) as taxi_kind,
        cast(null as varchar) as operating_area,
        powertrain,
        energy_class,
        in_service_on,
        retired_on as left_on
    from buses
    union all
    select
        'taxi' as fleet,
        cast(null as varchar) as route,
        taxi_kind,
        operating_area,
        powertrain,
        energy_class,
        in_service_on,
        exited_on as left_on
    from taxis
),

final as (
    select
        months.fleet,
        months.period,
        vehicles.route,
        vehicles.taxi_kind,
        vehicles.operating_area,
        vehicles.powertrain,
        vehicles.energy_class,
        count(*) as vehicles_in_service
    from months
    inner join vehicles
        on
            months.fleet = vehicles.fleet
            and months.period_end >= vehicles.in_service_on
            and (
                vehicles.left_on is null
                or months.period_end < vehicles.left_on
            )
    group by all
)

select * from final
