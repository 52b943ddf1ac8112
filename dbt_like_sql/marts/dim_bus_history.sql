-- Every state of every bus across the accepted bus fleet ledgers (车辆台账),
-- with the ledger dates between which it held (SCD type 2).
-- grain: one row per distinct bus record per unbroken run of consecutive
--   accepted ledgers holding it
-- key: (fleet_no, valid_from, and every other column: a change of any column
--   starts a new row)
-- why: each ledger is a full history; kept as intervals, a bus that did not
--   change is held once, not once per ledger. The ledger as of file X is one
--   query: valid_from <= X and (valid_to is null or valid_to > X), each row
--   repeated `copies` times. Lineage columns are not part of a state.
-- columns:
--   fleet_no: 车辆自编号 bus fleet number
--   plate_pseudonym: keyed hash of the normalised plate (号牌号码)
--   route_short_name: 线路, as GTFS route_short_name; null for reserve buses
--   length_m: 车长(米) bus length in metres
--   seats: 座位数 seats
--   powertrain_label: 动力类型 label (reference.powertrain)
--   in_service_on: 投运日期 date the bus entered service
--   retired_on: 报废日期 date the bus was retired
--   operating_status: 运营状态 at the ledger date (运营, 备用, 停运, 报废)
--   operator: 所属公司 bus operator
--   extra_columns: unknown extra columns of the ledger as JSON (_extra)
--   copies: how many identical records the ledgers hold (1 unless duplicated)
--   valid_from: file date of the first ledger of the run holding this state
--   valid_to: file date of the first later accepted ledger that no longer
--     holds it; null while the newest accepted ledger holds it

with

source_files as (
    select * from audit.source_files
),

buses as (
    select * from raw.bus_fleet
),

file_states as (
    select
        file_name,
        sha256,
        file_date,
        status
    from source_files
    where source = 'bus_fleet'
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
        accepted_files.file_sequence,
        count(*) as copies
    from buses
    inner join accepted_files
        on
            buses._source_file = accepted_files.file_name
            and buses._source_sha256 = accepted_files.sha256
    group by all
),

islands as (
    select
        *,
        file_sequence - row_number() over (
            partition by
                fleet_no, plate_pseudonym, route_short_name, length_m,
                seats, powertrain_label, in_service_on, retired_on,
                operating_status, operator, extra_columns, copies
            order by file_sequence
        ) as island
    from states
),

intervals as (
    select
        fleet_no,
        plate_pseudonym,
        route_short_name,
        length_m,
        seats,
        powertrain_label,
        in_service_on,
        retired_on,
        operating_status,
        operator,
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
        intervals.fleet_no,
        intervals.plate_pseudonym,
        intervals.route_short_name,
        intervals.length_m,
        intervals.seats,
        intervals.powertrain_label,
        intervals.in_service_on,
        intervals.retired_on,
        intervals.operating_status,
        intervals.operator,
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
