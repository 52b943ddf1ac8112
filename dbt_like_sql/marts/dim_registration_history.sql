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

snapshots as (  -- noqa: ST03
    select * exclude (source_row_number, source_file, is_newest)
    from registrations_snapshots()
),

final as (
    select * from scd2_intervals(snapshots)
)

select * from final  -- noqa: AM04
