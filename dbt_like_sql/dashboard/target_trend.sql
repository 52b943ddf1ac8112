-- The trend line of each target, fitted once for metrics.target_gap and the
--   projection drawn in each indicator section.
-- grain: one row per target (as intermediate.int_targets__trend)
-- order by: indicator_id, deadline
-- passes through: intermediate.int_targets__trend

with

trend as (
    select * from intermediate.int_targets__trend
),

final as (
    select * from trend
)

select * from final  -- noqa: AM04
