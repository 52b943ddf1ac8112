-- The twenty most frequent reasons records were set aside: the quality
--   section's quarantine table.
-- grain: one row per source and reason (the 20 with the most records)
-- order by: records desc, source, reason
-- columns:
--   source: the source the records came from
--   reason: why the records were set aside
--   records: records set aside for the reason

with

quarantine as (
    select * from quality.quarantine
),

final as (
    select
        source,
        reason,
        count(*) as records
    from quarantine
    group by source, reason
    order by records desc, source asc, reason asc
    limit 20
)

select * from final
