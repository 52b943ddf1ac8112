-- Every period of each target's indicator, as a share, placed in time
-- relative to the target's deadline.
-- grain: one row per target of reference.targets per period of its indicator
-- key: indicator_id, deadline, period
-- why: the target gap and the trend drawn on the dashboard both read a
--   target's periods from here. The trend window is the last 12 monthly values
--   (fleet), the last 3 yearly values (registrations) or all waves (surveys),
--   counted back from the latest period (docs/indicators.md,
--   projected_at_deadline).
-- columns:
--   indicator_id: id of the target's indicator
--   deadline: date the target must be reached by
--   kind: fleet, registrations or survey (reference/targets.yaml)
--   period: YYYY-MM (fleet), YYYY (registrations) or the survey wave id
--   period_end: last day the value describes
--   numerator: exact numerator of the period (metrics.indicator_ratios)
--   denominator: exact denominator of the period
--   share_value: numerator / denominator as a double
--   days_from_deadline: period_end − deadline in days (negative before it)
--   recency: 1 for the latest period, 2 for the one before, ...
--   is_in_trend_window: true for the periods the trend line is fitted on

with

targets as (
    select * from reference.targets
),

ratios as (
    select * from metrics.indicator_ratios
),

periods as (
    select
        targets.id as indicator_id,
        targets.deadline,
        targets.kind,
        ratios.period,
        ratios.period_end,
        ratios.numerator,
        ratios.denominator,
        cast(ratios.numerator as double)
        / cast(ratios.denominator as double) as share_value,
        ratios.period_end - targets.deadline as days_from_deadline,
        row_number() over (
            partition by targets.id, targets.deadline
            order by ratios.period_end desc
        ) as recency
    from targets
    inner join ratios
        on targets.id = ratios.indicator_id
),

final as (
    select
        *,
        recency <= case kind
            when 'fleet' then 12
            when 'registrations' then 3
            else recency
        end as is_in_trend_window
    from periods
)

select * from final
