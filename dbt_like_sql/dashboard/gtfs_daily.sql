-- Service of the newest accepted version of each feed, per representative
--   day type: the transit supply table.
-- grain: one row per feed and day type (as marts.fct_gtfs_feed_service_daily)
-- order by: feed_name, day_type
-- passes through: marts.fct_gtfs_feed_service_daily
-- columns:
--   file_date: date of the feed version's file (marts.dim_gtfs_feed_version)

with

daily as (
    select * from marts.fct_gtfs_feed_service_daily
),

versions as (
    select * from marts.dim_gtfs_feed_version
),

final as (
    select  -- noqa: ST06
        versions.file_date,
        daily.*
    from daily
    inner join versions on daily.feed_version = versions.feed_version
    where versions.is_newest
)

select * from final  -- noqa: AM04
