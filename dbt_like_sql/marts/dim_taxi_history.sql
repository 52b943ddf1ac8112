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

snapshots as (  -- noqa: ST03
    select * exclude (source_row_number, source_file, is_newest)
    from taxi_fleet_snapshots()
),

final as (
    select * from scd2_intervals(snapshots)
)

select * from final  -- noqa: AM04
