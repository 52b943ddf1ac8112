-- The least-squares trend line of each target's indicator over its trend
-- window.
-- grain: one row per target of reference.targets with at least one period
-- key: indicator_id, deadline
-- why: one fit serves both the target gap's projection and the line the
--   dashboard draws. The line is share = value_at_deadline + slope_per_day ×
--   (date − deadline in days), fitted on the window's periods (x = days from
--   the deadline to period_end, so the intercept is the value at the
--   deadline); it is a projection only with at least 2 points. Neither value
--   is clamped here: readers clamp to [0, 1].
-- columns:
--   indicator_id: id of the target's indicator
--   deadline: date the target must be reached by
--   points: periods in the trend window
--   value_at_deadline: the line's value at the deadline (regression intercept)
--   slope_per_day: the line's change per day (regression slope)
--   window_start: period_end of the window's oldest period
--   window_end: period_end of the window's latest period

with

periods as (
    select * from intermediate.int_targets__periods
),

final as (
    select
        indicator_id,
        deadline,
        count(*) as points,
        regr_intercept(share_value, days_from_deadline) as value_at_deadline,
        regr_slope(share_value, days_from_deadline) as slope_per_day,
        min(period_end) as window_start,
        max(period_end) as window_end
    from periods
    where is_in_trend_window
    group by indicator_id, deadline
)

select * from final
