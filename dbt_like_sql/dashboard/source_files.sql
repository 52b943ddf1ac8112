-- Every source file the warehouse has seen: the freshness table.
-- grain: one row per file and run (as audit.source_files)
-- order by: source, file_date, file_name
-- passes through: audit.source_files

with

source_files as (
    select * from audit.source_files
),

final as (
    select * from source_files
)

select * from final  -- noqa: AM04
