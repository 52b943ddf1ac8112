-- The CO2 each fleet target's remaining gap puts on the table: the carbon
--   section's gap table.
-- grain: one row per fleet target (as metrics.target_gap_co2)
-- order by: deadline, indicator_id
-- passes through: metrics.target_gap_co2

select * from metrics.target_gap_co2  -- noqa: AM04
