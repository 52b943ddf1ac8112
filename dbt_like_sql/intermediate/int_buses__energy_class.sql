-- Every bus of the newest ledger with its powertrain and energy class.
-- grain: one row per bus record of the newest accepted bus_fleet file
-- key: source_row_number
-- why: bus_clean_share counts new_energy and clean_energy buses; the free-text
--   ledger label is mapped through reference.powertrain (label_zh lists every
--   spelling). A label missing from the code table stays in the fleet as
--   powertrain and energy_class 'unknown'.

with

buses as (
    select * from staging.stg_bus_fleet__buses
),

powertrains as (
    select * from reference.powertrain
),

final as (
    select
        buses.source_row_number,
        buses.fleet_no,
        buses.plate_pseudonym,
        buses.route_short_name,
        buses.powertrain_label,
        buses.in_service_on,
        buses.retired_on,
        buses.operating_status,
        buses.file_date,
        buses.source_file,
        coalesce(powertrains.powertrain, 'unknown') as powertrain,
        coalesce(powertrains.energy_class, 'unknown') as energy_class
    from buses
    left join powertrains
        on buses.powertrain_label = powertrains.label_zh
)

select * from final
