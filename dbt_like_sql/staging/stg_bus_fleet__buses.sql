-- Buses of the newest accepted bus fleet ledger (车辆台账), renamed and typed.
-- grain: one row per bus record of the newest accepted bus_fleet file
-- key: source_row_number (fleet_no is unique within the file as well)
-- why: only the newest accepted ledger is used (docs/indicators.md, fleet
--   indicators); its file date is the as_of of bus_clean_share. Which file
--   that is, is stg_audit__accepted_files's to say.

with

accepted_files as (
    select * from staging.stg_audit__accepted_files
),

buses as (
    select * from raw.bus_fleet
),

final as (
    select
        buses._row_number as source_row_number,
        buses.fleet_no,
        buses.plate_pseudonym,
        buses.route as route_short_name,
        buses.length_m,
        buses.seats,
        buses.powertrain_label,
        buses.in_service_on,
        buses.retired_on,
        buses.status as operating_status,
        buses.operator,
        buses._source_file as source_file,
        accepted_files.file_date
    from buses
    inner join accepted_files
        on
            buses._source_file = accepted_files.file_name
            and buses._source_sha256 = accepted_files.sha256
    where accepted_files.source = 'bus_fleet' and accepted_files.is_newest
)

select * from final
