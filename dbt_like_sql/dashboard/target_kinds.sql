-- Each target's kind as reference/targets.yaml states it: which composition
--   chart its section draws.
-- grain: one row per target id and kind
-- order by: indicator_id
-- columns:
--   indicator_id: the target's id (reference.targets.id)
--   kind: fleet, registrations or survey

with

targets as (
    select * from reference.targets
),

final as (
    select distinct
        id as indicator_id,
        kind
    from targets
)

select * from final
