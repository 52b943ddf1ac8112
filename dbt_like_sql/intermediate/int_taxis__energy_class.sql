-- Every taxi of the newest register with its powertrain and energy class.
-- grain: one row per taxi record of the newest accepted taxi_fleet file
-- key: source_row_number
-- why: urban_taxi_nev_share counts new_energy taxis only; the register's fuel
--   label is mapped through reference.powertrain. A label missing from the code
--   table stays in the fleet as powertrain and energy_class 'unknown'.

with

taxis as (
    select * from staging.stg_taxi_fleet__taxis
),

powertrains as (
    select * from reference.powertrain
),

final as (
    select
        taxis.source_row_number,
        taxis.company,
        taxis.plate_pseudonym,
        taxis.taxi_kind,
        taxis.operating_area,
        taxis.powertrain_label,
        taxis.in_service_on,
        taxis.exited_on,
        taxis.file_date,
        taxis.source_file,
        coalesce(powertrains.powertrain, 'unknown') as powertrain,
        coalesce(powertrains.energy_class, 'unknown') as energy_class
    from taxis
    left join powertrains
        on taxis.powertrain_label = powertrains.label_zh
)

select * from final
