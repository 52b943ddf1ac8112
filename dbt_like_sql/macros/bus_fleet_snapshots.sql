-- Every bus record of every accepted bus fleet ledger (车辆台账), renamed and
-- typed, with the ledger's place among the accepted ones.
-- arguments:
-- why: the one statement of how a ledger's columns are named and typed;
--   stg_bus_fleet__buses keeps the newest ledger's rows, dim_bus_history folds
--   every ledger. A macro, not a table, so that no second copy of every
--   ledger's rows is stored beside raw.bus_fleet. Which files are accepted,
--   and in which order, is stg_audit__accepted_files's to say.
-- returns: source_row_number, the record's columns, extra_columns (_extra),
--   source_file, and the file's file_date, file_sequence, next_file_date,
--   is_newest

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
        buses._extra as extra_columns,
        buses._source_file as source_file,
        accepted_files.file_date,
        accepted_files.file_sequence,
        accepted_files.next_file_date,
        accepted_files.is_newest
    from buses
    inner join accepted_files
        on
            buses._source_file = accepted_files.file_name
            and buses._source_sha256 = accepted_files.sha256
    where accepted_files.source = 'bus_fleet'
)

select * from final
