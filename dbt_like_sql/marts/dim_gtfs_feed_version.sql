-- Every GTFS feed version ever dropped, accepted or not, with its publication,
--   feed_info, service period, notices and the days it is in effect.
-- grain: one row per feed version (the zip's sha256)
-- key: feed_version
-- why: docs/indicators.md evaluates bus-km with "the feed version in effect on
--   a date": per feed_name, the latest accepted version published on or
--   before it. So an accepted version with a publication date is in effect
--   from that date (valid_from) until the next accepted version of its feed
--   is published (valid_to, the first day it no longer is; null for the
--   newest). Of two versions of a feed published the same day, the greater
--   feed_version is in effect (the lesser's valid_to is that day). The same
--   zip dropped under two names is one version, published on the earlier
--   date. This is the one statement of the rule:
--   intermediate.int_gtfs__feed_versions_in_effect reads it here.
-- columns:
--   feed_version: sha256 of the zip (the version key)
--   feed_name: feed name from the file name
--   source_file: file the version was first read from
--   published_as: every file name this content was dropped under
--   files: how many dropped files hold this content (the names in
--     published_as)
--   file_date: publication date from the file name
--   status: accepted or rejected
--   reason: rejection reason (rule, file, row, field)
--   feed_info_version: feed_info.txt feed_version
--   feed_publisher_name: feed_info.txt feed_publisher_name
--   feed_start_date: feed_info.txt feed_start_date
--   feed_end_date: feed_info.txt feed_end_date
--   service_start_date: first service date from calendar and calendar_dates
--   service_end_date: last service date from calendar and calendar_dates
--   error_notices: validation notices of severity ERROR
--   warning_notices: validation notices of severity WARNING
--   valid_from: date from which this version is the one in effect
--   valid_to: date the next version of the same feed takes over (null when
--     current)
--   is_newest: true for the newest accepted version of its feed (latest
--     file_date; a version without a date only when none of the feed's versions
--     has one)

with

source_files as (
    select * from audit.source_files
),

notices as (
    select * from marts.fct_gtfs_validation_notices
),

feed_info_rows as (
    select * from raw.gtfs_feed_info
),

service_dates as (
    select * from intermediate.int_gtfs__service_dates
),

gtfs_files as (
    select
        sha256,
        file_name,
        file_date,
        status,
        reason,
        -- a version's earliest drop speaks for it; an undated drop comes last
        coalesce(file_date, date '9999-12-31') as drop_order
    from source_files
    where source = 'gtfs'
),

versions as (
    select
        sha256 as feed_version,
        min(file_date) as file_date,
        arg_min(file_name, drop_order) as source_file,
        string_agg(
            file_name, ', ' order by file_date, file_name
        ) as published_as,
        count(*) as files,
        arg_min(status, drop_order) as status,
        arg_min(reason, drop_order) as reason
    from gtfs_files
    group by sha256
),

named as (
    select
        feed_version,
        -- the feed name is the file name without its date and extension, as
        -- the ingest names it (taicang_bus_20200615.zip: taicang_bus)
        regexp_extract(
            regexp_replace(source_file, '^.*/', ''),
            '^(.+?)(?:_[0-9]{8})?[.](?i:zip)$',
            1
        ) as feed_name
    from versions
),

in_effect as (
    select
        versions.feed_version,
        lead(versions.file_date) over (
            partition by named.feed_name
            order by versions.file_date, versions.feed_version
        ) as valid_to
    from versions
    inner join named on versions.feed_version = named.feed_version
    where versions.status = 'accepted' and versions.file_date is not null
),

periods as (
    select
        feed_version,
        min(service_date) as service_start_date,
        max(service_date) as service_end_date
    from service_dates
    group by feed_version
),

notice_counts as (
    select
        feed_version,
        count(*) filter (where severity = 'ERROR') as error_notices,
        count(*) filter (where severity = 'WARNING') as warning_notices
    from notices
    group by feed_version
),

feed_info as (
    select
        feed_version,
        any_value(feed_info_version) as feed_info_version,
        any_value(feed_publisher_name) as feed_publisher_name,
        any_value(
            cast(try_strptime(feed_start_date, '%Y%m%d') as date)
        ) as feed_start_date,
        any_value(
            cast(try_strptime(feed_end_date, '%Y%m%d') as date)
        ) as feed_end_date
    from feed_info_rows
    group by feed_version
),

final as (
    select  -- noqa: ST06
        versions.feed_version,
        named.feed_name,
        versions.source_file,
        versions.published_as,
        versions.files,
        versions.file_date,
        versions.status,
        versions.reason,
        feed_info.feed_info_version,
        feed_info.feed_publisher_name,
        feed_info.feed_start_date,
        feed_info.feed_end_date,
        periods.service_start_date,
        periods.service_end_date,
        coalesce(notice_counts.error_notices, 0) as error_notices,
        coalesce(notice_counts.warning_notices, 0) as warning_notices,
        versions.file_date as valid_from,
        in_effect.valid_to,
        -- a version without a date is the newest only when no version of its
        -- feed has one
        versions.status = 'accepted' and row_number() over (
            partition by named.feed_name, versions.status
            order by
                versions.file_date desc nulls last,
                versions.feed_version desc
        ) = 1 as is_newest
    from versions
    left join named on versions.feed_version = named.feed_version
    left join in_effect on versions.feed_version = in_effect.feed_version
    left join notice_counts
        on versions.feed_version = notice_counts.feed_version
    left join feed_info on versions.feed_version = feed_info.feed_version
    left join periods on versions.feed_version = periods.feed_version
)

select * from final
order by feed_name, file_date, feed_version
