-- The published value of every indicator per period (interface.md,
--   metrics.indicator_values).
-- grain: one row per indicator per period
-- key: indicator_id, period
-- why: the one table every consumer reads; columns and types are fixed by the
--   interface. value = numerator / denominator. The survey confidence interval
--   is not computed yet (ci_low, ci_high null).
-- columns:
--   indicator_id: id from indicators.md
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

final as (
    -- column names and order are fixed by interface.md
    select  -- noqa: ST06
        indicator_id,
        period,
        period_end,
        cast(numerator as double)
        / cast(denominator as double) as value,  -- noqa: RF04
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        sample_size,
        cast(null as double) as ci_low,
        cast(null as double) as ci_high
    from ratios
    order by indicator_id, period_end
)

select * from final
