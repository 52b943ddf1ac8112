-- The newest accepted file of each source, by the one model that states the
--   rule: the freshness summary.
-- grain: one row per source
-- order by: source
-- columns:
--   source: the source (registrations, bus_fleet, taxi_fleet, surveys, gtfs)
--   newest_file: name of the newest accepted file
--   newest_file_date: date of the newest accepted file
--   rows_loaded: rows of that file loaded into the warehouse
--   rows_quarantined: rows of that file set aside in quality.quarantine

with

accepted_files as (
    select * from staging.stg_audit__accepted_files
),

final as (
    select
        source,
        file_name as newest_file,
        file_date as newest_file_date,
        rows_loaded,
        rows_quarantined
    from accepted_files
    where is_newest
)

select * from final
