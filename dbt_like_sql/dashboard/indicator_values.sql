-- Every value of every indicator, as the indicator sections chart them.
-- grain: one row per indicator and period (as metrics.indicator_values)
-- order by: indicator_id, period_end, period
-- passes through: metrics.indicator_values

select * from metrics.indicator_values  -- noqa: AM04
