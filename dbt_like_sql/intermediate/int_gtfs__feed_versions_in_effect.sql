-- The accepted GTFS feed versions with the days each one is in effect.
-- grain: one row per accepted feed version with a publication date
-- key: feed_version
-- why: bus-km is evaluated with "the feed version in effect on a date"
--   (docs/indicators.md), stated once in marts.dim_gtfs_feed_version
--   (valid_from, valid_to). The readers pick, on a date d, the versions in
--   effect, one per feed_name: in_effect_from <= d and (in_effect_until is
--   null or d < in_effect_until).
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

final as (
    select
        feed_version,
        feed_name,
        valid_from as in_effect_from,
        valid_to as in_effect_until
    from feed_versions
    where status = 'accepted' and valid_from is not null
)

select * from final
