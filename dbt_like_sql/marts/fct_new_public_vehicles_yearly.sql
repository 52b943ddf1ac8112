-- Vehicles first registered each year, by category and electric flag.
-- grain: one row per year of first_registered_on per vehicle_category per
--   is_electric
-- key: period, vehicle_category, is_electric
-- why: new_public_vehicle_ev_share (docs/indicators.md) counts vehicles in the
--   year they were first registered, even if deregistered later; the year
--   containing as_of is year-to-date with period_end = as_of. Every category is
--   kept (out-of-scope ones flagged) so the bureau sees what the scope leaves
--   out.
-- columns:
--   vehicle_category: taxi, official, sanitation, postal, private, other or
--     unknown
--   is_public_vehicle_scope: category counts for new_public_vehicle_ev_share
--   is_electric: new-energy plate type or an electric fuel letter (see
--     marts.dim_vehicle)
--   vehicles: vehicles first registered in the period in this group
--   as_of: file date of the newest accepted registrations file
--   period: calendar year YYYY of first_registered_on
--   period_end: 31 December of the year, or as_of for the year containing as_of

with

vehicles as (
    select * from marts.dim_vehicle
),

registered as (
    select
        vehicle_category,
        is_public_vehicle_scope,
        is_electric,
        as_of,
        year(first_registered_on) as registration_year
    from vehicles
    where first_registered_on <= as_of
),

yearly as (
    select
        registration_year,
        vehicle_category,
        is_public_vehicle_scope,
        is_electric,
        as_of,
        count(*) as vehicles
    from registered
    group by
        registration_year,
        vehicle_category,
        is_public_vehicle_scope,
        is_electric,
        as_of
),

final as (
    select
        vehicle_category,
        is_public_vehicle_scope,
        is_electric,
        vehicles,
        as_of,
        cast(registration_year as varchar) as period,
        least(make_date(registration_year, 12, 31), as_of) as period_end
    from yearly
    order by period, vehicle_category, is_electric
)

select * from final
