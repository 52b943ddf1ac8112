-- Electric share of new public vehicles per year, split by category.
-- grain: one row per year per in-scope category (official, sanitation, postal,
--   taxi)
-- key: period, vehicle_category
-- why: docs/indicators.md asks for the split of new_public_vehicle_ev_share by
--   category, so the bureau sees which owners hold the share back.
-- columns:
--   indicator_id: new_public_vehicle_ev_share
--   vehicle_category: official, sanitation, postal or taxi
--   period: calendar year YYYY of first registration
--   period_end: 31 December, or as_of for the year containing as_of
--     (year-to-date)
--   value: electric / all vehicles of the category first registered in the
--     period
--   numerator: electric vehicles of the category first registered in the period
--   denominator: vehicles of the category first registered in the period
--   sample_size: vehicles behind the value (the denominator)

with

new_vehicles as (
    select * from marts.fct_new_public_vehicles_yearly
),

by_category as (
    select
        vehicle_category,
        period,
        period_end,
        coalesce(sum(vehicles) filter (where is_electric), 0)
            as electric_vehicles,
        sum(vehicles) as all_vehicles
    from new_vehicles
    where is_public_vehicle_scope
    group by vehicle_category, period, period_end
),

final as (
    -- the columns of metrics.indicator_values, plus vehicle_category
    select  -- noqa: ST06
        'new_public_vehicle_ev_share' as indicator_id,
        vehicle_category,
        period,
        period_end,
        electric_vehicles / all_vehicles as value,  -- noqa: RF04
        cast(electric_vehicles as double) as numerator,
        cast(all_vehicles as double) as denominator,
        cast(all_vehicles as bigint) as sample_size
    from by_category
    order by period, vehicle_category
)

select * from final
