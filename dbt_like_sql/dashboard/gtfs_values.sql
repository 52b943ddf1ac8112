-- The clean share of scheduled bus-km per feed period: the transit supply
--   chart.
-- grain: one row per period (as metrics.gtfs_indicator_values)
-- order by: period_end
-- passes through: metrics.gtfs_indicator_values

select * from metrics.gtfs_indicator_values  -- noqa: AM04
where indicator_id = 'bus_km_clean_share'
