-- The public-vehicle category of every registered vehicle (docs/indicators.md,
--   category(v)).
-- grain: one row per vehicle record of the newest accepted registrations file
-- key: source_row_number
-- why: usage D (出租客运) makes a taxi whoever owns it; otherwise a private owner
--   (个人) is private, an exact unit name in reference.owner_units gives its
--   category, then the first regex of reference.owner_patterns in ascending
--   numeric code (priority); any other unit is other. category_rule says which
--   rule decided, so unmatched units can be listed.

with

vehicles as (
    select * from staging.stg_registrations__vehicles
),

owner_units as (
    select * from reference.owner_units
),

owner_patterns as (
    select * from reference.owner_patterns
),

-- patterns are matched once per distinct unit name, not per vehicle: a
-- regex taken from a column is compiled for every row it meets, and a unit
-- owns many vehicles.
unit_owners as (
    select distinct vehicles.owner
    from vehicles
    where vehicles.owner != '个人'
),

pattern_matches as (
    select
        unit_owners.owner,
        arg_min(
            owner_patterns.category, cast(owner_patterns.code as integer)
        ) as pattern_category
    from unit_owners
    inner join owner_patterns
        on regexp_matches(unit_owners.owner, owner_patterns.pattern)
    group by unit_owners.owner
),

final as (
    select
        vehicles.source_row_number,
        vehicles.usage_code,
        vehicles.owner,
        case
            when vehicles.usage_code = 'D' then 'taxi'
            when vehicles.owner = '个人' then 'private'
            when owner_units.category is not null then owner_units.category
            when pattern_matches.pattern_category is not null
                then pattern_matches.pattern_category
            when vehicles.owner is null or vehicles.owner = '' then 'unknown'
            else 'other'
        end as vehicle_category,
        case
            when vehicles.usage_code = 'D' then 'usage_d'
            when vehicles.owner = '个人' then 'private_owner'
            when owner_units.category is not null then 'owner_unit'
            when pattern_matches.pattern_category is not null
                then 'owner_pattern'
            when vehicles.owner is null or vehicles.owner = '' then 'no_owner'
            else 'unmatched_unit'
        end as category_rule
    from vehicles
    left join owner_units
        on vehicles.owner = owner_units.code
    left join pattern_matches
        on vehicles.owner = pattern_matches.owner
)

select * from final
