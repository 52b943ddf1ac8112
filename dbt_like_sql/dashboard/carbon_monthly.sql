-- Each fleet's CO2 per month with its range and what clean vehicles avoid:
--   the carbon section's charts.
-- grain: one row per fleet and month (as metrics.fleet_co2_monthly)
-- order by: fleet, period
-- passes through: metrics.fleet_co2_monthly

select * from metrics.fleet_co2_monthly  -- noqa: AM04
