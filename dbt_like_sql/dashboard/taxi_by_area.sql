-- Taxis in service in the newest month by kind, operating area and energy
--   class: the taxi breakdown chart.
-- grain: one row per taxi kind, operating area and energy class
-- order by: taxi_kind, operating_area, energy_class
-- columns:
--   period: the newest month, YYYY-MM
--   taxi_kind: kind of taxi
--   operating_area: area the taxis are licensed to serve
--   energy_class: energy class of the taxis (NEV or conventional)
--   vehicles: taxis in service that month

with

taxi_fleet as (
    select * from marts.fct_taxi_fleet_monthly
),

newest_month as (
    select max(period) as period from taxi_fleet
),

final as (
    select
        taxi_fleet.period,
        taxi_fleet.taxi_kind,
        taxi_fleet.operating_area,
        taxi_fleet.energy_class,
        sum(taxi_fleet.taxis_in_service) as vehicles
    from taxi_fleet
    inner join newest_month on taxi_fleet.period = newest_month.period
    group by
        taxi_fleet.period,
        taxi_fleet.taxi_kind,
        taxi_fleet.operating_area,
        taxi_fleet.energy_class
)

select * from final
