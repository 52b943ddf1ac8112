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

snapshots as (  -- noqa: ST03
    select * exclude (source_row_number, source_file, is_newest)
    from bus_fleet_snapshots()
),

final as (
    select * from scd2_intervals(snapshots)
)

select * from final  -- noqa: AM04
