-- Buses in service at each month's evaluation day, by powertrain and energy
--   class.
-- grain: one row per month per powertrain (energy_class follows from
--   powertrain)
-- key: period, powertrain
-- why: fleet(d) of bus_clean_share (docs/indicators.md), as
--   intermediate.int_fleets__in_service_monthly counts it: in_service_on <= d
--   and (retired_on blank or retired_on > d); 停运/备用 buses still count.
--   Combinations with no bus that month show 0.
-- columns:
--   period: calendar month YYYY-MM
--   period_end: evaluation day d (last day of the month; as_of for the month
--     containing it)
--   powertrain: BEV, PHEV, EREV, FCEV, HEV, CNG, LNG, LPG, BIFUEL, DIESEL,
--     PETROL or unknown
--   energy_class: new_energy, clean_energy, conventional or unknown
--     (reference.powertrain)
--   as_of: file date of the newest accepted bus ledger
--   buses_in_service: buses in fleet(d) with this powertrain

with

months as (
    select * from intermediate.int_fleets__month_spine
),

buses as (
    select * from intermediate.int_buses__energy_class
),

fleet_in_service as (
    select * from intermediate.int_fleets__in_service_monthly
),

bus_months as (
    select
        period,
        period_end,
        as_of
    from months
    where fleet = 'bus'
),

powertrains as (
    select distinct
        powertrain,
        energy_class
    from buses
),

in_service as (
    select
        period,
        powertrain,
        cast(sum(vehicles_in_service) as bigint) as buses_in_service
    from fleet_in_service
    where fleet = 'bus'
    group by period, powertrain
),

final as (
    select
        bus_months.period,
        bus_months.period_end,
        powertrains.powertrain,
        powertrains.energy_class,
        bus_months.as_of,
        coalesce(in_service.buses_in_service, 0) as buses_in_service
    from bus_months
    cross join powertrains
    left join in_service
        on
            bus_months.period = in_service.period
            and powertrains.powertrain = in_service.powertrain
    order by bus_months.period, powertrains.powertrain
)

select * from final
