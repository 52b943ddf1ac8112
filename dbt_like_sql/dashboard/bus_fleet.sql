-- Buses in service per month by powertrain and energy class: the bus
--   composition chart.
-- grain: one row per month, powertrain and energy class
-- order by: period, powertrain
-- columns:
--   period: month, YYYY-MM
--   period_end: last day of the month
--   powertrain: powertrain of the buses
--   energy_class: energy class of the buses (clean or conventional)
--   vehicles: buses in service that month

with

bus_fleet as (
    select * from marts.fct_bus_fleet_monthly
),

final as (
    -- the mart's grain already is the chart's: one row per month and
    -- powertrain (the energy class follows from the powertrain)
    select
        period,
        period_end,
        powertrain,
        energy_class,
        buses_in_service as vehicles
    from bus_fleet
)

select * from final
