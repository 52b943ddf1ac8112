-- Urban taxis in service per month by powertrain and energy class: the taxi
--   composition chart (the urban-taxi scope of the indicator only).
-- grain: one row per month, powertrain and energy class
-- order by: period, powertrain
-- columns:
--   period: month, YYYY-MM
--   period_end: last day of the month
--   powertrain: powertrain of the taxis
--   energy_class: energy class of the taxis (NEV or conventional)
--   vehicles: urban taxis in service that month

with

taxi_fleet as (
    select * from marts.fct_taxi_fleet_monthly
),

final as (
    select
        period,
        period_end,
        powertrain,
        energy_class,
        sum(taxis_in_service) as vehicles
    from taxi_fleet
    where is_urban_taxi_scope
    group by period, period_end, powertrain, energy_class
)

select * from final
