-- Taxis of the newest accepted taxi register, renamed and typed.
-- grain: one row per taxi record of the newest accepted taxi_fleet file
-- key: source_row_number
-- why: only the newest accepted register is used (docs/indicators.md, fleet
--   indicators); its file date is the as_of of urban_taxi_nev_share. Which
--   file that is, is stg_audit__accepted_files's to say.

with

accepted_files as (
    select * from staging.stg_audit__accepted_files
),

taxis as (
    select * from raw.taxi_fleet
),

final as (
    select
        taxis._row_number as source_row_number,
        taxis.company,
        taxis.plate_pseudonym,
        taxis.taxi_kind,
        taxis.powertrain_label,
        taxis.operating_area,
        taxis.in_service_on,
        taxis.exited_on,
        taxis._source_file as source_file,
        accepted_files.file_date
    from taxis
    inner join accepted_files
        on
            taxis._source_file = accepted_files.file_name
            and taxis._source_sha256 = accepted_files.sha256
    where accepted_files.source = 'taxi_fleet' and accepted_files.is_newest
)

select * from final
