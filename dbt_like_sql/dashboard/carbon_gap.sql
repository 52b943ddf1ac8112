-- The CO2 each fleet target's remaining gap puts on the table: the carbon
--   section's gap table.
-- grain: one row per fleet target (as metrics.target_gap_co2)
-- order by: deadline, indicator_id
-- passes through: metrics.target_gap_co2

with

target_gap_co2 as (
    select * from metrics.target_gap_co2
),

final as (
    select * from target_gap_co2
)

select * from final  -- noqa: AM04
