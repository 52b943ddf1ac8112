-- Each survey wave's mode split with its confidence interval, named as the
--   survey charts name the mode shares.
-- grain: one row per wave and main mode
-- order by: wave_id, try_cast(main_mode_code as integer)
-- columns:
--   wave_id: survey wave
--   main_mode_code: main mode code of the trip, as text
--   mode_label_zh: Chinese name of the mode
--   mode_label_en: English name of the mode
--   weighted_share: weighted share of trips by the mode
--   ci_low: lower end of the share's 95% confidence interval
--   ci_high: upper end of the share's 95% confidence interval

with

mode_split as (
    select * from marts.fct_survey_mode_split
),

final as (
    select
        wave_id,
        cast(mode_code as varchar) as main_mode_code,
        label_zh as mode_label_zh,
        label_en as mode_label_en,
        share as weighted_share,
        ci_low,
        ci_high
    from mode_split
)

select * from final
