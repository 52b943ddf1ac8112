-- Buses of the newest accepted bus fleet ledger (车辆台账), renamed and typed.
-- grain: one row per bus record of the newest accepted bus_fleet file
-- key: source_row_number (fleet_no is unique within the file as well)
-- why: only the newest accepted ledger is used (indicators.md, fleet
--   indicators); its file date is the as_of of bus_clean_share. Which file
--   that is, is stg_audit__accepted_files's to say.

with

accepted_files as (
    select * from staging.stg_audit__accepted_files
),

buses as (
    select * from raw.bus_fleet
),

newest_accepted_file as (
    select
        file_name,
        sha256,
        file_date
    from accepted_files
    where source = 'bus_fleet' and is_newest
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
        newest_accepted_file.file_date
    from buses
    inner join newest_accepted_file
        on
            buses._source_file = newest_accepted_file.file_name
            and buses._source_sha256 = newest_accepted_file.sha256
)

select * from final
