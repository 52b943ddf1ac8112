-- Taxis of the newest accepted taxi register, renamed and typed.
-- grain: one row per taxi record of the newest accepted taxi_fleet file
-- key: source_row_number
-- why: only the newest accepted register is used (docs/indicators.md, fleet
--   indicators); its file date is the as_of of urban_taxi_nev_share. Which
--   file that is, is stg_audit__accepted_files's to say.

with

newest_file_rows as (
    select * exclude (extra_columns, file_sequence, next_file_date, is_newest)
    from taxi_fleet_snapshots()
    where is_newest
)

select * from newest_file_rows  -- noqa: AM04
