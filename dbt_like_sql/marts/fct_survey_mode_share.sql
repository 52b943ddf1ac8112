-- Trips by main mode per survey wave, weighted and unweighted.
-- grain: one row per survey wave per main mode
-- key: wave_id, main_mode_code
-- why: transit_mode_share and green_travel_share (docs/indicators.md) are
--   ratios of Σ trip_weight over modes flagged in reference.travel_mode;
--   weighted_trips is an exact decimal sum so the target comparison is exact. A
--   mode code missing from the code table keeps its trips (in every
--   denominator) with all flags false.
-- columns:
--   wave_id: survey wave (a year, e.g. 2024)
--   main_mode_code: travel_mode code of the trip's main mode
--   mode_label_zh: Chinese label of the mode
--   mode_label_en: English label of the mode
--   trips: unweighted trips (sample size)
--   weighted_trips: Σ trip_weight (exact decimal)
--   period_end: 31 December of the wave year
--   is_public_transport: bus or rail
--   is_green: green mode per reference.travel_mode (e-bike included by default)
--   is_ebike: the e-bike mode (code 3, 电动自行车), left out of
--     green_travel_share_excl_ebike
--   is_motorised: motorised mode (denominator of transit_motorised_share)
--   weighted_share: weighted_trips / Σ trip_weight of the wave
--   unweighted_share: trips / all trips of the wave

with

trips as (
    select * from staging.stg_surveys__trips
),

travel_modes as (
    select * from reference.travel_mode
),

mode_totals as (
    select
        wave_id,
        main_mode_code,
        count(*) as trips,
        sum(trip_weight) as weighted_trips
    from trips
    group by wave_id, main_mode_code
),

final as (
    select
        mode_totals.wave_id,
        mode_totals.main_mode_code,
        travel_modes.label_zh as mode_label_zh,
        travel_modes.label_en as mode_label_en,
        mode_totals.trips,
        mode_totals.weighted_trips,
        make_date(try_cast(mode_totals.wave_id as integer), 12, 31)
            as period_end,
        coalesce(travel_modes.is_public_transport, false)
            as is_public_transport,
        coalesce(travel_modes.is_green, false) as is_green,
        mode_totals.main_mode_code = '3' as is_ebike,
        coalesce(travel_modes.is_motorised, false) as is_motorised,
        cast(mode_totals.weighted_trips as double)
        / sum(cast(mode_totals.weighted_trips as double)) over (
            partition by mode_totals.wave_id
        ) as weighted_share,
        mode_totals.trips / sum(mode_totals.trips) over (
            partition by mode_totals.wave_id
        ) as unweighted_share
    from mode_totals
    left join travel_modes
        on mode_totals.main_mode_code = travel_modes.code
    order by
        mode_totals.wave_id,
        try_cast(mode_totals.main_mode_code as integer)
)

select * from final
