-- The newest survey wave's measures by town: the town breakdown chart.
-- grain: one row per measure and town (as marts.fct_survey_breakdowns)
-- order by: measure, category
-- passes through: marts.fct_survey_breakdowns

with

breakdowns as (
    select * from marts.fct_survey_breakdowns
),

newest_wave as (
    select max(wave_id) as wave_id from breakdowns
),

final as (
    select breakdowns.*
    from breakdowns
    inner join newest_wave on breakdowns.wave_id = newest_wave.wave_id
    where breakdowns.dimension = 'town'
)

select * from final  -- noqa: AM04
