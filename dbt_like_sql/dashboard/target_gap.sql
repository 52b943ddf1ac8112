-- Each target's gap and status, for the bullet charts and the lead text.
-- grain: one row per target (as metrics.target_gap)
-- order by: indicator_id
-- passes through: metrics.target_gap

select * from metrics.target_gap  -- noqa: AM04
