"""Scheduled weekday bus-km by energy class: GTFS routes ↔ the bus ledger's route column.

For every publication date d of an accepted feed version (the indicator's period):
- the feed versions in effect on d: per feed_name, the latest accepted version published ≤ d;
- their bus routes' representative-weekday vehicle-km, summed per route_short_name;
- the buses in service on d (staging.stg_bus_fleet__buses, the newest accepted ledger:
  in_service_on ≤ d and retired_on blank or > d) with a route, by energy_class of
  reference.powertrain;
- each route's km split in proportion to the energy classes of its buses.
bus_km_clean_share(d) = km run by new- or clean-energy buses / km of routes that have buses.
Routes without buses cannot be split: they are left out of both sums and listed, with ledger
routes missing from GTFS, in marts.fct_gtfs_route_reconciliation.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.warehouse import fetch_frame

INDICATOR_ID = "bus_km_clean_share"

ROUTE_RECONCILIATION = """
with buses as (
    select
        nullif(trim(ledger.route_short_name), '') as route,
        ledger.in_service_on,
        ledger.retired_on,
        powertrain.energy_class
    from staging.stg_bus_fleet__buses as ledger
    left join reference.powertrain as powertrain on ledger.powertrain_label = powertrain.code
),
versions as (
    select feed_version, feed_name, file_date
    from marts.dim_gtfs_feed_version
    where status = 'accepted' and file_date is not null
),
periods as (
    select distinct file_date as period_date from versions
),
in_effect as (
    select periods.period_date, versions.feed_version, versions.feed_name
    from periods
    inner join versions on versions.file_date <= periods.period_date
    qualify row_number() over (
        partition by periods.period_date, versions.feed_name order by versions.file_date desc
    ) = 1
),
route_km as (
    select
        in_effect.period_date,
        trim(service.route_short_name) as route,
        string_agg(distinct service.feed_name, ', ') as feed_names,
        count(*) as gtfs_routes,
        sum(service.vehicle_km) as weekday_bus_km
    from in_effect
    inner join marts.fct_gtfs_route_service_daily as service
        on in_effect.feed_version = service.feed_version
    where service.day_type = 'weekday' and service.is_bus and service.route_short_name is not null
    group by in_effect.period_date, trim(service.route_short_name)
),
route_buses as (
    select
        periods.period_date,
        buses.route,
        count(*) as buses,
        count(*) filter (where buses.energy_class = 'new_energy') as new_energy_buses,
        count(*) filter (where buses.energy_class = 'clean_energy') as clean_energy_buses,
        count(*) filter (where buses.energy_class = 'conventional') as conventional_buses
    from periods
    inner join buses
        on buses.in_service_on <= periods.period_date
        and (buses.retired_on is null or buses.retired_on > periods.period_date)
    where buses.route is not null
    group by periods.period_date, buses.route
),
final as (
    select
        coalesce(route_km.period_date, route_buses.period_date) as period_date,
        coalesce(route_km.route, route_buses.route) as route,
        route_km.feed_names,
        case
            when route_km.route is null then 'ledger_route_not_in_gtfs'
            when route_buses.route is null then 'gtfs_route_without_bus'
            else 'matched'
        end as match_status,
        coalesce(route_km.gtfs_routes, 0) as gtfs_routes,
        route_km.weekday_bus_km,
        coalesce(route_buses.buses, 0) as buses,
        coalesce(route_buses.new_energy_buses, 0) as new_energy_buses,
        coalesce(route_buses.clean_energy_buses, 0) as clean_energy_buses,
        coalesce(route_buses.conventional_buses, 0) as conventional_buses,
        route_km.weekday_bus_km * route_buses.new_energy_buses / route_buses.buses
            as new_energy_km,
        route_km.weekday_bus_km * route_buses.clean_energy_buses / route_buses.buses
            as clean_energy_km,
        route_km.weekday_bus_km * route_buses.conventional_buses / route_buses.buses
            as conventional_km
    from route_km
    full outer join route_buses
        on route_km.period_date = route_buses.period_date and route_km.route = route_buses.route
)
select * from final
order by period_date, route
"""

INDICATOR_ROWS = """
select
    ?::varchar as indicator_id,
    strftime(period_date, '%Y-%m-%d') as period,
    period_date as period_end,
    sum(new_energy_km + clean_energy_km) / sum(weekday_bus_km) as value,
    sum(new_energy_km + clean_energy_km) as numerator,
    sum(weekday_bus_km) as denominator,
    cast(count(*) as bigint) as sample_size,
    cast(null as double) as ci_low,
    cast(null as double) as ci_high
from gtfs_route_reconciliation
where match_status = 'matched' and weekday_bus_km > 0
group by period_date
order by period_date
"""


def route_reconciliation(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Kept as temp table gtfs_route_reconciliation for indicator_rows."""
    con.execute(f"create or replace temp table gtfs_route_reconciliation as {ROUTE_RECONCILIATION}")
    return fetch_frame(con, "select * from gtfs_route_reconciliation")


def indicator_rows(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Rows with exactly the columns of metrics.indicator_values (docs/interface.md)."""
    return fetch_frame(con, INDICATOR_ROWS, [INDICATOR_ID])
