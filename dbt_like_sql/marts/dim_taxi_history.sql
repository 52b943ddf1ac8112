-- Every state of every taxi across the accepted taxi registers, with the
-- register dates between which it held (SCD type 2).
-- grain: one row per distinct taxi record per unbroken run of consecutive
--   accepted registers holding it
-- key: (plate_pseudonym, valid_from, and every other column: a change of any
--   column starts a new row)
-- why: each register is a full history; kept as intervals, a taxi that did
--   not change is held once, not once per register. The register as of file
--   X is one query: valid_from <= X and (valid_to is null or valid_to > X),
--   each row repeated `copies` times. Lineage columns are not part of a state.
-- columns:
--   company: 经营者 taxi company
--   plate_pseudonym: keyed hash of the normalised plate (号牌号码)
--   taxi_kind: 车辆类别 (巡游出租车 street-hail, 网约车 ride-hailing)
--   powertrain_label: 燃料类型 label (reference.powertrain)
--   operating_area: 经营区域 (市区 or a town)
--   in_service_on: 投入运营日期 date the taxi entered service
--   exited_on: 退出日期 date the taxi left service
--   extra_columns: unknown extra columns of the ledger as JSON (_extra)
--   copies: how many identical records the ledgers hold (1 unless duplicated)
--   valid_from: file date of the first ledger of the run holding this state
--   valid_to: file date of the first later accepted ledger that no longer
--     holds it; null while the newest accepted ledger holds it

with

source_files as (
    select * from audit.source_files
),

taxis as (
    select * from raw.taxi_fleet
),

file_states as (
    select
        file_name,
        sha256,
        file_date,
        status
    from source_files
    where source = 'taxi_fleet'
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
        taxis.company,
        taxis.plate_pseudonym,
        taxis.taxi_kind,
        taxis.powertrain_label,
        taxis.operating_area,
        taxis.in_service_on,
        taxis.exited_on,
        taxis._extra as extra_columns,
        accepted_files.file_sequence,
        count(*) as copies
    from taxis
    inner join accepted_files
        on
            taxis._source_file = accepted_files.file_name
            and taxis._source_sha256 = accepted_files.sha256
    group by all
),

islands as (
    select
        *,
        file_sequence - row_number() over (
            partition by
                company, plate_pseudonym, taxi_kind, powertrain_label,
                operating_area, in_service_on, exited_on, extra_columns,
                copies
            order by file_sequence
        ) as island
    from states
),

intervals as (
    select
        company,
        plate_pseudonym,
        taxi_kind,
        powertrain_label,
        operating_area,
        in_service_on,
        exited_on,
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
        intervals.company,
        intervals.plate_pseudonym,
        intervals.taxi_kind,
        intervals.powertrain_label,
        intervals.operating_area,
        intervals.in_service_on,
        intervals.exited_on,
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
