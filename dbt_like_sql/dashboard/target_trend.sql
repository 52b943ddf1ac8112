-- The trend line of each target, fitted once for metrics.target_gap and the
--   projection drawn in each indicator section.
-- grain: one row per target (as intermediate.int_targets__trend)
-- order by: indicator_id, deadline
-- passes through: intermediate.int_targets__trend

select * from intermediate.int_targets__trend  -- noqa: AM04
