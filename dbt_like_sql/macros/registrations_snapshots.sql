-- Every vehicle record of every accepted registrations export, renamed and
-- typed, with the export's place among the accepted ones.
-- arguments:
-- why: the one statement of how a registrations export's columns are named
--   and typed; stg_registrations__vehicles keeps the newest export's rows,
--   dim_registration_history folds every export. A macro, not a table: the
--   exports hold millions of rows, which the warehouse keeps once, in
--   raw.registrations. Which files are accepted, and in which order, is
--   stg_audit__accepted_files's to say.
-- returns: source_row_number, the record's columns, extra_columns (_extra),
--   source_file, and the file's file_date, file_sequence, next_file_date,
--   is_newest

with

accepted_files as (
    select * from staging.stg_audit__accepted_files
),

registrations as (
    select * from raw.registrations
),

final as (
    select
        registrations._row_number as source_row_number,
        registrations.plate_pseudonym,
        registrations.plate_type as plate_type_code,
        registrations.vin_pseudonym,
        registrations.vehicle_type as vehicle_type_code,
        registrations.usage as usage_code,
        registrations.fuel as fuel_codes,
        registrations.first_registered_on,
        registrations.status as status_codes,
        registrations.status_changed_on,
        registrations.owner,
        registrations.admin_code,
        registrations._extra as extra_columns,
        registrations._source_file as source_file,
        accepted_files.file_date,
        accepted_files.file_sequence,
        accepted_files.next_file_date,
        accepted_files.is_newest
    from registrations
    inner join accepted_files
        on
            registrations._source_file = accepted_files.file_name
            and registrations._source_sha256 = accepted_files.sha256
    where accepted_files.source = 'registrations'
)

select * from final
