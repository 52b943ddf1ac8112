-- New public vehicles per year by category and electric or not (public
--   vehicle scope only): the registrations composition chart.
-- grain: one row per year, vehicle category and is_electric
-- order by: period, vehicle_category, is_electric
-- columns:
--   period: year, YYYY
--   vehicle_category: category of the vehicles
--   is_electric: true for battery-electric vehicles
--   vehicles: new vehicles registered that year

with

new_vehicles as (
    select * from marts.fct_new_public_vehicles_yearly
),

final as (
    select
        period,
        vehicle_category,
        is_electric,
        sum(vehicles) as vehicles
    from new_vehicles
    where is_public_vehicle_scope
    group by period, vehicle_category, is_electric
)

select * from final
