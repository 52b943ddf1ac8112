-- Numerator and denominator of every indicator per period, as exact decimals.
-- grain: one row per indicator per period (periods with an empty denominator
--   are left out)
-- key: indicator_id, period
-- why: target status must compare numerator >= target × denominator exactly
--   (docs/indicators.md), so the ratios keep exact decimals;
--   metrics.indicator_values publishes them as doubles.
-- columns:
--   indicator_id: id from docs/indicators.md
--   period: YYYY-MM (fleet), YYYY (registrations) or the survey wave id
--   period_end: last day the value describes
--   numerator: qualifying vehicles, or Σ trip_weight of qualifying trips (exact
--     decimal)
--   denominator: vehicles, or Σ trip_weight of the trips in scope (exact
--     decimal)
--   sample_size: unweighted records behind the value (vehicles or trips in the
--     denominator)

with

bus_fleet as (
    select * from marts.fct_bus_fleet_monthly
),

taxi_fleet as (
    select * from marts.fct_taxi_fleet_monthly
),

new_vehicles as (
    select * from marts.fct_new_public_vehicles_yearly
),

mode_share as (
    select * from marts.fct_survey_mode_share
),

vehicles_in_scope as (
    -- every vehicle share is qualifying vehicles / vehicles in scope; each
    -- source says which of its vehicles are in scope and which qualify
    select
        'bus_clean_share' as indicator_id,
        period,
        period_end,
        buses_in_service as vehicles,
        energy_class in ('new_energy', 'clean_energy') as is_qualifying
    from bus_fleet
    union all
    select
        'urban_taxi_nev_share' as indicator_id,
        period,
        period_end,
        taxis_in_service as vehicles,
        energy_class = 'new_energy' as is_qualifying
    from taxi_fleet
    where is_urban_taxi_scope
    union all
    select
        'new_public_vehicle_ev_share' as indicator_id,
        period,
        period_end,
        vehicles,
        is_electric as is_qualifying
    from new_vehicles
    where is_public_vehicle_scope
),

vehicle_shares as (
    select
        indicator_id,
        period,
        period_end,
        coalesce(sum(vehicles) filter (where is_qualifying), 0) as numerator,
        sum(vehicles) as denominator,
        sum(vehicles) as sample_size
    from vehicles_in_scope
    group by indicator_id, period, period_end
),

wave_totals as (
    select
        wave_id as period,
        period_end,
        sum(weighted_trips) as all_weighted,
        sum(trips) as all_trips,
        coalesce(sum(weighted_trips) filter (where is_public_transport), 0)
            as transit_weighted,
        coalesce(sum(weighted_trips) filter (where is_motorised), 0)
            as motorised_weighted,
        coalesce(sum(trips) filter (where is_motorised), 0) as motorised_trips,
        coalesce(sum(weighted_trips) filter (where is_green), 0)
            as green_weighted,
        coalesce(
            sum(weighted_trips) filter (where is_green and not is_ebike), 0
        )
            as green_excl_ebike_weighted
    from mode_share
    group by wave_id, period_end
),

survey_shares as (
    select
        'transit_mode_share' as indicator_id,
        period,
        period_end,
        transit_weighted as numerator,
        all_weighted as denominator,
        all_trips as sample_size
    from wave_totals
    union all
    select
        'transit_motorised_share' as indicator_id,
        period,
        period_end,
        transit_weighted as numerator,
        motorised_weighted as denominator,
        motorised_trips as sample_size
    from wave_totals
    union all
    select
        'green_travel_share' as indicator_id,
        period,
        period_end,
        green_weighted as numerator,
        all_weighted as denominator,
        all_trips as sample_size
    from wave_totals
    union all
    select
        'green_travel_share_excl_ebike' as indicator_id,
        period,
        period_end,
        green_excl_ebike_weighted as numerator,
        all_weighted as denominator,
        all_trips as sample_size
    from wave_totals
),

unioned as (
    select * from vehicle_shares
    union all
    select * from survey_shares
),

final as (
    select
        indicator_id,
        period,
        period_end,
        cast(numerator as decimal(38, 10)) as numerator,
        cast(denominator as decimal(38, 10)) as denominator,
        cast(sample_size as bigint) as sample_size
    from unioned
    where denominator > 0
    order by indicator_id, period_end
)

select * from final
