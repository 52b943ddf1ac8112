-- Every source file the warehouse has seen: the freshness table.
-- grain: one row per file and run (as audit.source_files)
-- order by: source, file_date, file_name
-- passes through: audit.source_files

select * from audit.source_files  -- noqa: AM04
