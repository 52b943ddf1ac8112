"""marts.dim_gtfs_feed_version: one row per feed version (content sha256), accepted or not.

A version is valid from its publication date (the date in its file name; the earliest one when
the same zip was published twice) until the next accepted version of the same feed_name is
published, which is what "the feed version in effect on a date" means downstream. The newest
accepted version of each feed (is_newest) is the one with the latest publication date.
"""

from __future__ import annotations

import duckdb
import polars as pl

from assets.gtfs.service_tables import SERVICE_DATES
from pipelines.warehouse import fetch_frame

FEED_VERSIONS = f"""
with files as (
    select
        sha256 as feed_version,
        min(file_date) as file_date,
        arg_min(file_name, coalesce(file_date, date '9999-12-31')) as source_file,
        string_agg(file_name, ', ' order by file_date, file_name) as published_as,
        count(*) as files,
        arg_min(status, coalesce(file_date, date '9999-12-31')) as status,
        arg_min(reason, coalesce(file_date, date '9999-12-31')) as reason
    from audit.source_files
    where source = 'gtfs'
    group by sha256
),
named as (
    select
        feed_version,
        -- the same rule as feed_frames.feed_name_of: taicang_bus_20200615.zip -> taicang_bus
        regexp_extract(
            regexp_replace(source_file, '^.*/', ''), '^(.+?)(?:_[0-9]{{8}})?[.](?i:zip)$', 1
        ) as feed_name
    from files
),
periods as (
    select
        feed_version,
        min(service_date) as service_start_date,
        max(service_date) as service_end_date
    from {SERVICE_DATES}
    group by feed_version
),
notice_counts as (
    select
        feed_version,
        count(*) filter (where severity = 'ERROR') as error_notices,
        count(*) filter (where severity = 'WARNING') as warning_notices
    from marts.fct_gtfs_validation_notices
    group by feed_version
),
feed_info as (
    select
        feed_version,
        any_value(feed_info_version) as feed_info_version,
        any_value(feed_publisher_name) as feed_publisher_name,
        any_value(cast(try_strptime(feed_start_date, '%Y%m%d') as date)) as feed_start_date,
        any_value(cast(try_strptime(feed_end_date, '%Y%m%d') as date)) as feed_end_date
    from raw.gtfs_feed_info
    group by feed_version
),
final as (
    select
        files.feed_version,
        named.feed_name,
        files.source_file,
        files.published_as,
        files.files,
        files.file_date,
        files.status,
        files.reason,
        feed_info.feed_info_version,
        feed_info.feed_publisher_name,
        feed_info.feed_start_date,
        feed_info.feed_end_date,
        periods.service_start_date,
        periods.service_end_date,
        coalesce(notice_counts.error_notices, 0) as error_notices,
        coalesce(notice_counts.warning_notices, 0) as warning_notices,
        files.file_date as valid_from,
        case when files.status = 'accepted' then lead(files.file_date) over (
            partition by named.feed_name, files.status order by files.file_date
        ) end as valid_to,
        -- a version without a date is the newest only when no version of its feed has one
        files.status = 'accepted' and row_number() over (
            partition by named.feed_name, files.status
            order by files.file_date desc nulls last, files.feed_version desc
        ) = 1 as is_newest
    from files
    left join named on files.feed_version = named.feed_version
    left join notice_counts on files.feed_version = notice_counts.feed_version
    left join feed_info on files.feed_version = feed_info.feed_version
    left join periods on files.feed_version = periods.feed_version
)
select * from final
order by feed_name, file_date, feed_version
"""


def feed_version_dimension(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Needs intermediate.int_gtfs__service_dates (service_tables.write_service_dates)."""
    return fetch_frame(con, FEED_VERSIONS)
