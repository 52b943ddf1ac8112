-- Every taxi record of every accepted taxi register, renamed and typed, with
-- the register's place among the accepted ones.
-- arguments:
-- why: the one statement of how a register's columns are named and typed;
--   stg_taxi_fleet__taxis keeps the newest register's rows, dim_taxi_history
--   folds every register. A macro, not a table, so that no second copy of
--   every register's rows is stored beside raw.taxi_fleet. Which files are
--   accepted, and in which order, is stg_audit__accepted_files's to say.
-- returns: source_row_number, the record's columns, extra_columns (_extra),
--   source_file, and the file's file_date, file_sequence, next_file_date,
--   is_newest

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
        taxis._extra as extra_columns,
        taxis._source_file as source_file,
        accepted_files.file_date,
        accepted_files.file_sequence,
        accepted_files.next_file_date,
        accepted_files.is_newest
    from taxis
    inner join accepted_files
        on
            taxis._source_file = accepted_files.file_name
            and taxis._source_sha256 = accepted_files.sha256
    where accepted_files.source = 'taxi_fleet'
)

select * from final
