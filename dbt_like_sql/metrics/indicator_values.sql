-- The published value of every indicator per period (docs/interface.md,
--   metrics.indicator_values).
-- grain: one row per indicator per period
-- key: indicator_id, period
-- why: the one table every consumer reads; columns and types are fixed by the
--   interface. value = numerator / denominator, exactly as target_gap compares
--   it. Survey rows take their 95% design-based interval (households as
--   clusters, towns as strata, Taylor linearisation) from
--   metrics.survey_share_estimates, which the survey statistics asset builds.
--   Supplementary indicators without a target (bus_km_clean_share, from the
--   GTFS supply assets) are appended as they are.
-- columns:
--   indicator_id: id from docs/indicators.md
--   period: YYYY-MM (monthly), YYYY (yearly) or the survey wave id
--   period_end: last day the value describes
--   value: share in [0, 1]
--   numerator: vehicles, or weighted trips
--   denominator: vehicles, or weighted trips
--   sample_size: unweighted records behind the value
--   ci_low: lower bound of the 95% interval (survey indicators; null for
--     censuses)
--   ci_high: upper bound of the 95% interval (survey indicators; null for
--     censuses)

with

ratios as (
    select * from metrics.indicator_ratios
),

survey_intervals as (
    select * from metrics.survey_share_estimates
),

supplementary as (
    select * from metrics.gtfs_indicator_values
),

final as (
    -- column names and order are fixed by docs/interface.md
    select  -- noqa: ST06
        ratios.indicator_id,
        ratios.period,
        ratios.period_end,
        cast(ratios.numerator as double)
        / cast(ratios.denominator as double) as value,  -- noqa: RF04
        cast(ratios.numerator as double) as numerator,
        cast(ratios.denominator as double) as denominator,
        ratios.sample_size,
        survey_intervals.ci_low,
        survey_intervals.ci_high
    from ratios
    left join survey_intervals
        on
            ratios.indicator_id = survey_intervals.indicator_id
            and ratios.period = survey_intervals.period
    union all
    select
        indicator_id,
        period,
        period_end,
        value,
        numerator,
        denominator,
        sample_size,
        ci_low,
        ci_high
    from supplementary
    order by indicator_id, period_end
)

select * from final
