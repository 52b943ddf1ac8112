-- Every taxi of the newest register with its powertrain and energy class.
-- grain: one row per taxi record of the newest accepted taxi_fleet file
-- key: source_row_number
-- why: urban_taxi_nev_share counts new_energy taxis only; the register's fuel
--   label is mapped through reference.powertrain. A label missing from the code
--   table stays in the fleet as powertrain and energy_class 'unknown'.
--   is_urban_taxi_scope is the one statement of which taxis fleet(d) of
--   urban_taxi_nev_share counts (docs/indicators.md): the street-hail taxis
--   (taxi_kind 巡游出租车) of the urban area (operating_area 市区). Ride-hailing
--   cars (网约车) and town taxis stay in the register for the dashboard but are
--   not taxis of the indicator; a taxi whose kind or area is missing is not in
--   it either (false, never null).
-- columns:
--   source_row_number: row of the record in its register file
--   company: 经营者
--   plate_pseudonym: pseudonymised plate
--   taxi_kind: 车辆类型 (巡游出租车 street-hail, 网约车 ride-hailing)
--   operating_area: 经营区域 (市区 or a town label_zh)
--   powertrain_label: the register's fuel label (动力类型)
--   in_service_on: date the taxi started service
--   exited_on: date the taxi left service; null while in service
--   file_date: date of the register file
--   source_file: register file the record came from
--   powertrain: powertrain code (reference.powertrain) or 'unknown'
--   energy_class: new_energy, clean_energy, conventional or 'unknown'
--   is_urban_taxi_scope: the taxi is a 市区 巡游出租车, counted in fleet(d) of
--     urban_taxi_nev_share

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
        coalesce(powertrains.energy_class, 'unknown') as energy_class,
        coalesce(
            taxis.taxi_kind = '巡游出租车' and taxis.operating_area = '市区',
            false
        ) as is_urban_taxi_scope
    from taxis
    left join powertrains
        on taxis.powertrain_label = powertrains.label_zh
)

select * from final
