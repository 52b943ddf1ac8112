"""The representative weekday, Saturday and Sunday of each feed version, and their trips.

For each day type (Mon-Fri, Saturday, Sunday) we take the date in the feed's service period
with the most scheduled trips of that day type (ties: the earliest date), preferring dates that
calendar_dates.txt leaves alone: in China a holiday swap turns a Sunday into a working day that
runs the weekday timetable (调休), which has "the most service" of all Sundays but is not a
Sunday's service. Feeds built from calendar_dates only fall back to all their dates.
Trips defined by frequencies.txt are expanded into one instance per departure (start_time,
start_time + headway, … before end_time).
"""

from __future__ import annotations

import duckdb
import polars as pl

from assets.gtfs.service_calendar import service_dates
from pipelines.sql_text import identifier
from pipelines.warehouse import fetch_frame

SQL_MACROS = """
create or replace temp macro gtfs_seconds(t) as
    try_cast(split_part(trim(t), ':', 1) as integer) * 3600
    + try_cast(split_part(trim(t), ':', 2) as integer) * 60
    + try_cast(split_part(trim(t), ':', 3) as integer);
create or replace temp macro gtfs_time_text(s) as
    lpad(cast(s // 3600 as varchar), 2, '0') || ':'
    || lpad(cast((s % 3600) // 60 as varchar), 2, '0') || ':'
    || lpad(cast(s % 60 as varchar), 2, '0');
create or replace temp macro haversine_km(lat1, lon1, lat2, lon2) as
    2 * 6371.0 * asin(sqrt(
        pow(sin(radians(lat2 - lat1) / 2), 2)
        + cos(radians(lat1)) * cos(radians(lat2)) * pow(sin(radians(lon2 - lon1) / 2), 2)
    ));
"""

REPRESENTATIVE_DATES = """
create or replace temp table gtfs_representative_dates as
with trips_per_service as (
    select feed_version, service_id, count(*) as trips
    from raw.gtfs_trips
    group by feed_version, service_id
),
daily as (
    select
        dates.feed_version,
        dates.service_date,
        cast(sum(services.trips) as bigint) as scheduled_trips
    from gtfs_service_dates as dates
    inner join trips_per_service as services
        on dates.feed_version = services.feed_version
        and dates.service_id = services.service_id
    group by dates.feed_version, dates.service_date
),
exception_days as (
    select distinct feed_version, cast(try_strptime(trim(date), '%Y%m%d') as date) as service_date
    from raw.gtfs_calendar_dates
),
typed as (
    select
        daily.*,
        exception_days.service_date is not null as is_exception_day,
        case
            when isodow(daily.service_date) <= 5 then 'weekday'
            when isodow(daily.service_date) = 6 then 'saturday'
            else 'sunday'
        end as day_type
    from daily
    left join exception_days
        on daily.feed_version = exception_days.feed_version
        and daily.service_date = exception_days.service_date
)
select feed_version, day_type, service_date, scheduled_trips
from typed
qualify row_number() over (
    partition by feed_version, day_type
    order by is_exception_day, scheduled_trips desc, service_date
) = 1
"""

DAY_TRIP_INSTANCES = """
create or replace temp table gtfs_day_trips as
with frequency_starts as (
    select
        feed_version,
        trip_id,
        unnest(generate_series(
            gtfs_seconds(start_time), gtfs_seconds(end_time) - 1, cast(headway_secs as bigint)
        )) as start_s
    from raw.gtfs_frequencies
    where headway_secs > 0
)
select
    days.feed_version,
    days.day_type,
    days.service_date,
    trips.trip_id,
    trips.route_id,
    trips.direction_id,
    trips.shape_id,
    frequency_starts.start_s as frequency_start_s
from gtfs_representative_dates as days
inner join gtfs_service_dates as dates
    on days.feed_version = dates.feed_version and days.service_date = dates.service_date
inner join raw.gtfs_trips as trips
    on dates.feed_version = trips.feed_version and dates.service_id = trips.service_id
left join frequency_starts
    on trips.feed_version = frequency_starts.feed_version
    and trips.trip_id = frequency_starts.trip_id
"""


def prepare_service_days(con: duckdb.DuckDBPyConnection) -> None:
    """Temp tables gtfs_service_dates, gtfs_representative_dates and gtfs_day_trips."""
    con.execute(SQL_MACROS)
    calendar = fetch_frame(con, "select * from raw.gtfs_calendar")
    calendar_dates = fetch_frame(con, "select * from raw.gtfs_calendar_dates")
    dates = service_dates(calendar, calendar_dates)
    register_temp_table(con, "gtfs_service_dates", dates)
    con.execute(REPRESENTATIVE_DATES)
    con.execute(DAY_TRIP_INSTANCES)


def register_temp_table(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    con.register("_gtfs_frame", frame.to_arrow())
    try:
        con.execute(f"create or replace temp table {identifier(name)} as select * from _gtfs_frame")
    finally:
        con.unregister("_gtfs_frame")
