-- The indicators the pipeline publishes, with their kind and as_of.
-- grain: one row per published indicator
-- key: indicator_id
-- why: as_of is the date of the newest accepted source file behind an indicator
--   (file date for ledgers and registrations, period_end of the latest wave for
--   surveys), never the run date; metrics.target_gap compares it with the
--   deadline. It cannot be read off the latest period (a year-to-date with no
--   addition yet has no value but still moves as_of).
-- columns:
--   indicator_id: id from docs/indicators.md
--   kind: fleet, registrations or survey (as kind in reference.targets)
--   period_grain: month, year or wave
--   source_name: source behind the indicator (bus_fleet, taxi_fleet,
--     registrations, surveys)
--   as_of: date of the newest source data behind the indicator; null when it
--     has none

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

indicators as (
    select
        indicator_list.indicator_id,
        indicator_list.kind,
        indicator_list.period_grain,
        indicator_list.source_name
    from (
        values
        ('bus_clean_share', 'fleet', 'month', 'bus_fleet'),
        ('urban_taxi_nev_share', 'fleet', 'month', 'taxi_fleet'),
        (
            'new_public_vehicle_ev_share', 'registrations', 'year',
            'registrations'
        ),
        ('transit_mode_share', 'survey', 'wave', 'surveys'),
        ('transit_motorised_share', 'survey', 'wave', 'surveys'),
        ('green_travel_share', 'survey', 'wave', 'surveys'),
        ('green_travel_share_excl_ebike', 'survey', 'wave', 'surveys')
    ) as indicator_list (indicator_id, kind, period_grain, source_name)
),

source_as_of as (
    select
        'bus_fleet' as source_name,
        max(as_of) as as_of
    from bus_fleet
    union all
    select
        'taxi_fleet' as source_name,
        max(as_of) as as_of
    from taxi_fleet
    union all
    select
        'registrations' as source_name,
        max(as_of) as as_of
    from new_vehicles
    union all
    select
        'surveys' as source_name,
        max(period_end) as as_of
    from mode_share
),

final as (
    select
        indicators.indicator_id,
        indicators.kind,
        indicators.period_grain,
        indicators.source_name,
        source_as_of.as_of
    from indicators
    left join source_as_of
        on indicators.source_name = source_as_of.source_name
)

select * from final
