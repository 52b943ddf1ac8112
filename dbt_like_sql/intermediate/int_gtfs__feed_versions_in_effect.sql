-- The accepted GTFS feed versions with the days each one is in effect.
-- grain: one row per accepted feed version with a publication date
-- key: feed_version
-- why: docs/indicators.md evaluates bus-km with "the feed version in effect on
--   a date": per feed_name, the latest accepted version published on or
--   before it. So a version is in effect from its publication date until the
--   next accepted version of its feed is published (in_effect_until, the first
--   day it no longer is; null for the newest), and on a date d the versions
--   in effect, one per feed_name, are those with in_effect_from <= d and
--   (in_effect_until is null or d < in_effect_until). Of two versions of a
--   feed published on the same day, the greater feed_version is in effect.
-- columns:
--   feed_version: GTFS feed version (sha256 of the zip)
--   feed_name: GTFS feed name
--   in_effect_from: publication date of the version (its file date)
--   in_effect_until: publication date of the next accepted version of the
--     same feed, the first day this one is no longer in effect; null for the
--     newest

with

feed_versions as (
    select * from marts.dim_gtfs_feed_version
),

accepted as (
    select
        feed_version,
        feed_name,
        file_date
    from feed_versions
    where status = 'accepted' and file_date is not null
),

final as (
    select
        feed_version,
        feed_name,
        file_date as in_effect_from,
        lead(file_date) over (
            partition by feed_name order by file_date, feed_version
        ) as in_effect_until
    from accepted
)

select * from final
