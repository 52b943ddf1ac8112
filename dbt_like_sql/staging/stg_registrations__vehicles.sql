-- Vehicle records of the newest accepted registrations file, renamed and typed.
-- grain: one row per vehicle record of the newest accepted registrations file
-- key: source_row_number
-- why: the newest accepted full ledger is the truth for all history
--   (docs/sources.md §1); older and rejected files stay in raw.registrations
--   for audit only. Which file is the newest accepted one is
--   stg_audit__accepted_files's to say.

with

newest_file_rows as (
    select * exclude (extra_columns, file_sequence, next_file_date, is_newest)
    from registrations_snapshots()
    where is_newest
)

select * from newest_file_rows  -- noqa: AM04
