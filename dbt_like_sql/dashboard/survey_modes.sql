-- Each survey wave's weighted mode shares: the survey mode charts.
-- grain: one row per wave and main mode (as marts.fct_survey_mode_share)
-- order by: wave_id, try_cast(main_mode_code as integer)
-- passes through: marts.fct_survey_mode_share

select * from marts.fct_survey_mode_share  -- noqa: AM04
