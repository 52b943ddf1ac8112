-- The data checks that failed: the quality section's validation table.
-- grain: one row per failed expectation and column
-- order by: suite, expectation, "column"
-- columns:
--   suite: the expectation suite
--   expectation: the expectation that failed
--   column: the column it checks (null for a table-level expectation)
--   success: always false here
--   unexpected_count: rows that broke the expectation

with

validation_results as (
    select * from quality.validation_results
),

final as (
    select
        suite,
        expectation,
        "column",
        success,
        unexpected_count
    from validation_results
    where not success
)

select * from final
