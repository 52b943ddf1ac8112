-- Refined oil (petrol plus diesel) burnt by the buses and urban taxis each
--   year.
-- grain: one row per fleet per calendar year
-- key: fleet, period
-- why: the plan tracks the peak in refined-oil use; these are the public
--   fleets' litres, summed from metrics.fleet_co2_monthly. The year containing
--   the newest data is year-to-date (months counts the months behind it).
-- columns:
--   fleet: bus or taxi
--   period: calendar year YYYY
--   period_end: evaluation day of the last month of the year with data
--   months: months with data in the year
--   diesel_l: diesel, litres
--   petrol_l: petrol, litres
--   refined_oil_l: diesel_l + petrol_l

with

monthly as (
    select * from metrics.fleet_co2_monthly
),

monthly_by_year as (
    select
        *,
        left(period, 4) as calendar_year
    from monthly
),

final as (
    select
        fleet,
        calendar_year as period,
        max(period_end) as period_end,
        count(*) as months,
        sum(diesel_l) as diesel_l,
        sum(petrol_l) as petrol_l,
        sum(diesel_l + petrol_l) as refined_oil_l
    from monthly_by_year
    group by fleet, calendar_year
    order by fleet, calendar_year
)

select * from final
