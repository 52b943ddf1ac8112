-- Supplementary indicator bus_km_clean_share (no target): share of scheduled
--   weekday bus-km run by new- or clean-energy buses.
-- grain: one row per accepted feed publication date
-- key: indicator_id, period
-- why: shows whether the clean buses run the busy routes (docs/indicators.md).
--   value = km attributed to new- and clean-energy buses / km of the routes
--   that have buses, over the matched routes of
--   marts.fct_gtfs_route_reconciliation with weekday km; routes without buses
--   cannot be split and are left out of both sums. The columns are those of
--   metrics.indicator_values, which appends these rows as they are.
-- columns:
--   indicator_id: bus_km_clean_share
--   period: feed publication date (YYYY-MM-DD)
--   period_end: the publication date
--   value: share in [0, 1]
--   numerator: weekday bus-km on routes run by new- or clean-energy buses
--   denominator: weekday bus-km on routes with at least one assigned bus
--   sample_size: routes behind the value
--   ci_low: null (not a sample)
--   ci_high: null (not a sample)

with

reconciliation as (
    select * from marts.fct_gtfs_route_reconciliation
),

final as (
    -- the columns of metrics.indicator_values, in its order
    select  -- noqa: ST06
        'bus_km_clean_share' as indicator_id,
        strftime(period_date, '%Y-%m-%d') as period,
        period_date as period_end,
        sum(new_energy_km + clean_energy_km)
        / sum(weekday_bus_km) as value,  -- noqa: RF04
        sum(new_energy_km + clean_energy_km) as numerator,
        sum(weekday_bus_km) as denominator,
        cast(count(*) as bigint) as sample_size,
        cast(null as double) as ci_low,
        cast(null as double) as ci_high
    from reconciliation
    where match_status = 'matched' and weekday_bus_km > 0
    group by period_date
)

select * from final
order by period_end
