-- Buses of the newest accepted bus fleet ledger (车辆台账), renamed and typed.
-- grain: one row per bus record of the newest accepted bus_fleet file
-- key: source_row_number (fleet_no is unique within the file as well)
-- why: only the newest accepted ledger is used (docs/indicators.md, fleet
--   indicators); its file date is the as_of of bus_clean_share. Which file
--   that is, is stg_audit__accepted_files's to say.

with

newest_file_rows as (
    select * exclude (extra_columns, file_sequence, next_file_date, is_newest)
    from bus_fleet_snapshots()
    where is_newest
)

select * from newest_file_rows  -- noqa: AM04
