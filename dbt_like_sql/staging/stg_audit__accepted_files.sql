-- Every source file whose current state is accepted, in file-date order per
-- source, with the newest accepted file of each source flagged.
-- grain: one row per accepted source file
-- key: source, file_name
-- why: the one statement of "the newest accepted file of a source"
--   (docs/sources.md, docs/indicators.md): every model and asset that needs a
--   source's accepted files reads them here. A file's state is its latest audit
--   row (latest loaded_at, then run_id). The newest file is the one with the
--   latest file date; two accepted files of a source never share a date (the
--   plausibility gate rejects both), and the larger file name breaks a tie.
-- columns:
--   source: source folder (registrations, bus_fleet, taxi_fleet, surveys, gtfs)
--   file_name: path of the file under data_raw/
--   sha256: content hash of the accepted version of the file
--   file_date: date in the file name
--   rows_loaded: rows of the file loaded into raw.*
--   rows_quarantined: rows of the file set aside in quality.quarantine
--   file_sequence: position of the file among the source's accepted files,
--     oldest first (1, 2, ...)
--   next_file_date: file date of the source's next accepted file; null for
--     the newest
--   is_newest: true for the newest accepted file of the source

with

source_files as (
    select * from audit.source_files
),

file_states as (
    select
        source,
        file_name,
        sha256,
        file_date,
        status,
        rows_loaded,
        rows_quarantined
    from source_files
    qualify row_number() over (
        partition by source, file_name order by loaded_at desc, run_id desc
    ) = 1
),

final as (
    select
        source,
        file_name,
        sha256,
        file_date,
        rows_loaded,
        rows_quarantined,
        row_number() over (
            partition by source order by file_date asc, file_name asc
        ) as file_sequence,
        lead(file_date) over (
            partition by source order by file_date asc, file_name asc
        ) as next_file_date,
        row_number() over (
            partition by source
            order by file_date desc nulls last, file_name desc
        ) = 1 as is_newest
    from file_states
    where status = 'accepted'
)

select * from final
