-- How far each target of reference.targets is from being met
--   (docs/interface.md, target_gap).
-- grain: one row per target of reference/targets.yaml (one per indicator today)
-- key: indicator_id, deadline
-- why: the bureau's headline table. Targets are config (a new targets.yaml
--   entry adds a row). Every comparison with a target is exact: numerator >=
--   target × denominator in DECIMAL. Deadline passed (as_of > deadline): met or
--   missed on the period containing the deadline (fleet: its month,
--   registrations: its year, survey: the latest wave ending on or before it; no
--   such period gives no_data). Deadline ahead: met on the latest value, else
--   on_track or off_track on the projection: the trend line of
--   intermediate.int_targets__trend at the deadline (at least 2 values),
--   clamped to [0, 1].
-- columns:
--   indicator_id: id from docs/indicators.md (the target's id)
--   name_zh: Chinese name of the target
--   name_en: English name of the target
--   target_value: target share, e.g. 0.92
--   deadline: date the target must be reached by
--   latest_period: period of the latest value
--   latest_value: value of the latest period
--   value_at_deadline: value of the period containing the deadline once the
--     deadline has passed; null before, or when that period has no data
--   gap_pp: (target − latest_value) × 100; positive = still short
--   status: met, on_track, off_track, missed or no_data (docs/indicators.md)
--   projected_at_deadline: trend value at the deadline, clamped to [0, 1]; null
--     once the deadline has passed or with fewer than 2 values
--   units_to_close: smallest k >= 0 with numerator + k >= target × denominator
--     for the latest period (fleet and registration targets); null for surveys
--   as_of: date of the newest source data behind the value

with

targets as (
    select * from reference.targets
),

indicators as (
    select * from marts.dim_indicator
),

target_periods as (
    select * from intermediate.int_targets__periods
),

trend as (
    select * from intermediate.int_targets__trend
),

latest as (
    select * from target_periods
    where recency = 1
),

at_deadline as (
    select * from target_periods
    where
        case kind
            when 'fleet' then period = strftime(deadline, '%Y-%m')
            when 'registrations' then period = strftime(deadline, '%Y')
            else period_end <= deadline
        end
    qualify row_number() over (
        partition by indicator_id, deadline order by period_end desc
    ) = 1
),

assessed as (
    select
        targets.id as indicator_id,
        targets.name_zh,
        targets.name_en,
        targets.target,
        targets.deadline,
        targets.kind,
        indicators.as_of,
        latest.period as latest_period,
        latest.share_value as latest_value,
        latest.numerator as latest_numerator,
        latest.denominator as latest_denominator,
        at_deadline.period as deadline_period,
        at_deadline.share_value as deadline_value,
        coalesce(indicators.as_of > targets.deadline, false)
            as is_deadline_passed,
        at_deadline.numerator >= targets.target * at_deadline.denominator
            as is_met_at_deadline,
        latest.numerator >= targets.target * latest.denominator
            as is_met_latest,
        case
            when trend.points >= 2
                then greatest(0.0, least(1.0, trend.value_at_deadline))
        end as trend_at_deadline
    from targets
    left join indicators
        on targets.id = indicators.indicator_id
    left join latest
        on
            targets.id = latest.indicator_id
            and targets.deadline = latest.deadline
    left join at_deadline
        on
            targets.id = at_deadline.indicator_id
            and targets.deadline = at_deadline.deadline
    left join trend
        on
            targets.id = trend.indicator_id
            and targets.deadline = trend.deadline
),

final as (
    -- column names and order are fixed by docs/interface.md
    select  -- noqa: ST06
        indicator_id,
        name_zh,
        name_en,
        cast(target as double) as target_value,
        deadline,
        latest_period,
        latest_value,
        case
            when is_deadline_passed then deadline_value
        end as value_at_deadline,
        cast((target * latest_denominator - latest_numerator) * 100 as double)
        / cast(latest_denominator as double) as gap_pp,
        case
            when latest_period is null then 'no_data'
            when is_deadline_passed and deadline_period is null then 'no_data'
            when is_deadline_passed and is_met_at_deadline then 'met'
            when is_deadline_passed then 'missed'
            when is_met_latest then 'met'
            when trend_at_deadline >= target then 'on_track'
            else 'off_track'
        end as status,
        case
            when not is_deadline_passed then trend_at_deadline
        end as projected_at_deadline,
        case
            when kind not in ('fleet', 'registrations') then null
            when latest_period is null then null
            when is_met_latest then 0
            else cast(
                ceil(target * latest_denominator - latest_numerator) as bigint
            )
        end as units_to_close,
        as_of
    from assessed
    order by deadline, indicator_id
)

select * from final
