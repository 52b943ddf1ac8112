-- Taxis in service at each month's evaluation day, by kind, operating area and
--   powertrain.
-- grain: one row per month per taxi_kind per operating_area per powertrain
-- key: period, taxi_kind, operating_area, powertrain
-- why: fleet(d) of urban_taxi_nev_share (docs/indicators.md) is the taxis of
--   is_urban_taxi_scope (intermediate.int_taxis__energy_class states which)
--   in service on d, as intermediate.int_fleets__in_service_monthly counts it;
--   ride-hailing (网约车) and town taxis are kept here for the dashboard but
--   are not in the indicator. Combinations seen in the register but with no
--   taxi that month show 0.
-- columns:
--   period: calendar month YYYY-MM
--   period_end: evaluation day d (last day of the month; as_of for the month
--     containing it)
--   taxi_kind: 巡游出租车 (street-hail) or 网约车 (ride-hailing)
--   operating_area: 市区 (urban area) or a town label_zh
--   powertrain: BEV, PHEV, EREV, FCEV, HEV, CNG, LNG, LPG, BIFUEL, DIESEL,
--     PETROL or unknown
--   energy_class: new_energy, clean_energy, conventional or unknown
--     (reference.powertrain)
--   as_of: file date of the newest accepted taxi register
--   taxis_in_service: taxis in service on period_end in this group
--   is_urban_taxi_scope: the group's taxis are 市区 巡游出租车, counted in
--     fleet(d) of urban_taxi_nev_share (metrics.indicator_ratios and the
--     taxi-km of intermediate.int_fleets__monthly_km filter on it)

with

months as (
    select * from intermediate.int_fleets__month_spine
),

taxis as (
    select * from intermediate.int_taxis__energy_class
),

fleet_in_service as (
    select * from intermediate.int_fleets__in_service_monthly
),

taxi_months as (
    select
        period,
        period_end,
        as_of
    from months
    where fleet = 'taxi'
),

taxi_groups as (
    select distinct
        taxi_kind,
        operating_area,
        powertrain,
        energy_class,
        is_urban_taxi_scope
    from taxis
),

in_service as (
    select
        period,
        taxi_kind,
        operating_area,
        powertrain,
        cast(sum(vehicles_in_service) as bigint) as taxis_in_service
    from fleet_in_service
    where fleet = 'taxi'
    group by period, taxi_kind, operating_area, powertrain
),

final as (
    -- the columns added after the first release come last, so that every
    -- column keeps its position
    select  -- noqa: ST06
        taxi_months.period,
        taxi_months.period_end,
        taxi_groups.taxi_kind,
        taxi_groups.operating_area,
        taxi_groups.powertrain,
        taxi_groups.energy_class,
        taxi_months.as_of,
        coalesce(in_service.taxis_in_service, 0) as taxis_in_service,
        taxi_groups.is_urban_taxi_scope
    from taxi_months
    cross join taxi_groups
    left join in_service
        on
            taxi_months.period = in_service.period
            and taxi_groups.taxi_kind is not distinct from in_service.taxi_kind
            and taxi_groups.operating_area
            is not distinct from in_service.operating_area
            and taxi_groups.powertrain = in_service.powertrain
    order by
        taxi_months.period,
        taxi_groups.taxi_kind,
        taxi_groups.operating_area,
        taxi_groups.powertrain
)

select * from final
