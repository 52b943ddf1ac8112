-- Every state of every vehicle record across the accepted registrations
-- exports, with the export dates between which it held (SCD type 2).
-- grain: one row per distinct vehicle record per unbroken run of consecutive
--   accepted exports holding it
-- key: (plate_pseudonym, vin_pseudonym, first_registered_on, valid_from, and
--   every other column: a change of any column starts a new row)
-- why: each monthly export is a full ledger; kept as intervals, a vehicle that
--   did not change is held once, not once per export. The ledger as of export
--   X is one query: valid_from <= X and (valid_to is null or valid_to > X),
--   each row repeated `copies` times. Lineage columns (_row_number,
--   _source_file, _loaded_at) are not part of a state.
-- columns:
--   plate_pseudonym: keyed hash of the normalised plate (号牌号码)
--   plate_type_code: 号牌种类, GA 24.7 code
--   vin_pseudonym: keyed hash of the VIN (车辆识别代号); null when blank
--   vehicle_type_code: 车辆类型, GA 802 code
--   usage_code: 使用性质, GA 24.3 letter
--   fuel_codes: 燃料种类, one or more GA 24.9 letters
--   first_registered_on: 初次登记日期 first registration date
--   status_codes: 机动车状态 letters (E deregistered, B transferred out)
--   status_changed_on: 状态变更日期 date of the last status change
--   owner: 所有人, unit name or 个人 for private owners
--   admin_code: 住所行政区划 division code
--   extra_columns: unknown extra columns of the export as JSON (_extra)
--   copies: how many identical records the exports hold (1 unless duplicated)
--   valid_from: file date of the first export of the run holding this state
--   valid_to: file date of the first later accepted export that no longer
--     holds it; null while the newest accepted export holds it

with

source_files as (
    select * from audit.source_files
),

registrations as (
    select * from raw.registrations
),

file_states as (
    select
        file_name,
        sha256,
        file_date,
        status
    from source_files
    where source = 'registrations'
    qualify row_number() over (
        partition by file_name order by loaded_at desc, run_id desc
    ) = 1
),

accepted_files as (
    select
        file_name,
        sha256,
        file_date,
        row_number() over (order by file_date, file_name) as file_sequence,
        lead(file_date) over (order by file_date, file_name) as next_file_date
    from file_states
    where status = 'accepted'
),

states as (
    select
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
        accepted_files.file_sequence,
        count(*) as copies
    from registrations
    inner join accepted_files
        on
            registrations._source_file = accepted_files.file_name
            and registrations._source_sha256 = accepted_files.sha256
    group by all
),

islands as (
    select
        *,
        file_sequence - row_number() over (
            partition by
                plate_pseudonym, plate_type_code, vin_pseudonym,
                vehicle_type_code, usage_code, fuel_codes, first_registered_on,
                status_codes, status_changed_on, owner, admin_code,
                extra_columns, copies
            order by file_sequence
        ) as island
    from states
),

intervals as (
    select
        plate_pseudonym,
        plate_type_code,
        vin_pseudonym,
        vehicle_type_code,
        usage_code,
        fuel_codes,
        first_registered_on,
        status_codes,
        status_changed_on,
        owner,
        admin_code,
        extra_columns,
        copies,
        island,
        min(file_sequence) as first_sequence,
        max(file_sequence) as last_sequence
    from islands
    group by all
),

final as (
    select
        intervals.plate_pseudonym,
        intervals.plate_type_code,
        intervals.vin_pseudonym,
        intervals.vehicle_type_code,
        intervals.usage_code,
        intervals.fuel_codes,
        intervals.first_registered_on,
        intervals.status_codes,
        intervals.status_changed_on,
        intervals.owner,
        intervals.admin_code,
        intervals.extra_columns,
        intervals.copies,
        first_file.file_date as valid_from,
        last_file.next_file_date as valid_to
    from intervals
    inner join accepted_files as first_file
        on intervals.first_sequence = first_file.file_sequence
    inner join accepted_files as last_file
        on intervals.last_sequence = last_file.file_sequence
)

select * from final
