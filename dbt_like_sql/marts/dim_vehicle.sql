-- Registered vehicles with their public-vehicle category and electric flag.
-- grain: one row per vehicle record of the newest accepted registrations file
--   (deregistered and transferred-out vehicles included, flagged by
--   is_registered_on_as_of)
-- key: source_row_number
-- why: new_public_vehicle_ev_share counts vehicles by first registration even
--   if they left later. electric(v) per docs/indicators.md: a new-energy plate
--   type (51, 52 via reference.plate_type.is_new_energy) or a fuel letter whose
--   reference.fuel.is_electric is true (C, so AC counts; O alone does not).
-- columns:
--   source_row_number: record number in the newest accepted registrations file
--     (key)
--   plate_pseudonym: keyed hash of the normalised plate (号牌号码)
--   vin_pseudonym: keyed hash of the VIN (车辆识别代号); null when blank
--   plate_type_code: 号牌种类, GA 24.7 code (02 小型汽车, 52 小型新能源汽车, ...)
--   vehicle_type_code: 车辆类型, GA 802 code (K33, H31, ...)
--   usage_code: 使用性质, GA 24.3 letter (A 非营运, D 出租客运, ...)
--   fuel_codes: 燃料种类, one or more GA 24.9 letters (AC = petrol + electric)
--   owner: 所有人, unit name or 个人 for private owners
--   admin_code: 住所行政区划 division code
--   first_registered_on: 初次登记日期 first registration date
--   status_codes: 机动车状态 letters at the file date (E deregistered, B transferred
--     out)
--   status_changed_on: 状态变更日期 date of the last status change
--   vehicle_category: taxi, official, sanitation, postal, private, other or
--     unknown
--   category_rule: rule that set the category (usage_d, private_owner,
--     owner_unit, owner_pattern, unmatched_unit, no_owner)
--   as_of: file date of the newest accepted registrations file
--   is_registered_on_as_of: first registered on or before as_of and not
--     deregistered or transferred out on or before it
--   is_public_vehicle_scope: category is official, sanitation, postal or taxi
--     (the scope of new_public_vehicle_ev_share)
--   is_new_energy_plate: plate type is a new-energy plate (51, 52)
--   has_electric_fuel: a fuel letter is electric (C)
--   is_electric: is_new_energy_plate or has_electric_fuel

with

vehicles as (
    select * from staging.stg_registrations__vehicles
),

categories as (
    select * from intermediate.int_vehicles__owner_category
),

plate_types as (
    select * from reference.plate_type
),

fuels as (
    select * from reference.fuel
),

electric_by_fuel as (
    select distinct vehicles.source_row_number
    from vehicles
    inner join fuels
        on contains(vehicles.fuel_codes, fuels.code)
    where fuels.is_electric
),

final as (
    select
        vehicles.source_row_number,
        vehicles.plate_pseudonym,
        vehicles.vin_pseudonym,
        vehicles.plate_type_code,
        vehicles.vehicle_type_code,
        vehicles.usage_code,
        vehicles.fuel_codes,
        vehicles.owner,
        vehicles.admin_code,
        vehicles.first_registered_on,
        vehicles.status_codes,
        vehicles.status_changed_on,
        categories.vehicle_category,
        categories.category_rule,
        vehicles.file_date as as_of,
        vehicles.first_registered_on <= vehicles.file_date
        and not coalesce(
            (
                contains(vehicles.status_codes, 'E')
                or contains(vehicles.status_codes, 'B')
            )
            and (
                vehicles.status_changed_on is null
                or vehicles.status_changed_on <= vehicles.file_date
            ),
            false
        ) as is_registered_on_as_of,
        categories.vehicle_category in (
            'official', 'sanitation', 'postal', 'taxi'
        ) as is_public_vehicle_scope,
        coalesce(plate_types.is_new_energy, false) as is_new_energy_plate,
        electric_by_fuel.source_row_number is not null as has_electric_fuel,
        coalesce(plate_types.is_new_energy, false)
        or electric_by_fuel.source_row_number is not null as is_electric
    from vehicles
    inner join categories
        on vehicles.source_row_number = categories.source_row_number
    left join plate_types
        on vehicles.plate_type_code = plate_types.code
    left join electric_by_fuel
        on vehicles.source_row_number = electric_by_fuel.source_row_number
)

select * from final
