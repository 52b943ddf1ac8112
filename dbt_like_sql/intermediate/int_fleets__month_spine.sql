-- The months for which each fleet is evaluated, with their evaluation day.
-- grain: one row per fleet (bus, taxi) per calendar month
-- key: fleet, period
-- why: docs/indicators.md evaluates a month at its last day, except the month
--   containing as_of (the newest ledger's file date), evaluated at as_of;
--   months run from the first month with any vehicle in service (a vehicle that
--   leaves on the day it starts never served) up to the month containing as_of.

with

buses as (
    select * from staging.stg_bus_fleet__buses
),

taxis as (
    select * from staging.stg_taxi_fleet__taxis
),

fleet_bounds as (
    select
        'bus' as fleet,
        min(in_service_on) filter (
            where retired_on is null or retired_on > in_service_on
        ) as first_in_service_on,
        max(file_date) as as_of
    from buses
    union all
    select
        'taxi' as fleet,
        min(in_service_on) filter (
            where exited_on is null or exited_on > in_service_on
        ) as first_in_service_on,
        max(file_date) as as_of
    from taxis
),

months as (
    select
        fleet,
        as_of,
        cast(
            unnest(
                generate_series(
                    date_trunc('month', first_in_service_on),
                    date_trunc('month', as_of),
                    interval 1 month
                )
            ) as date
        ) as month_start
    from fleet_bounds
    where first_in_service_on <= as_of
),

final as (
    select
        fleet,
        month_start,
        as_of,
        strftime(month_start, '%Y-%m') as period,
        least(last_day(month_start), as_of) as period_end
    from months
)

select * from final
