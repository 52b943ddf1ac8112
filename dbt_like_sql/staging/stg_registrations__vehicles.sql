-- Vehicle records of the newest accepted registrations file, renamed and typed.
-- grain: one row per vehicle record of the newest accepted registrations file
-- key: source_row_number
-- why: the newest accepted full ledger is the truth for all history
--   (docs/sources.md §1); older and rejected files stay in raw.registrations
--   for audit only. Which file is the newest accepted one is
--   stg_audit__accepted_files's to say.

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
        registrations._source_file as source_file,
        accepted_files.file_date
    from registrations
    inner join accepted_files
        on
            registrations._source_file = accepted_files.file_name
            and registrations._source_sha256 = accepted_files.sha256
    where accepted_files.source = 'registrations' and accepted_files.is_newest
)

select * from final
