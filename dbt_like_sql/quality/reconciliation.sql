-- Cross-source reconciliation: do the fleet ledgers and the registrations tell
-- one story?
-- grain: one row per mismatched vehicle per mismatch kind (a vehicle may show
--   more than one kind); empty when no registrations file was accepted
-- key: fleet, vehicle_id, mismatch_kind
-- why: every bus of the newest accepted bus ledger and every street-hail taxi
--   (巡游出租车) of the newest accepted taxi register must be in the newest
--   accepted registrations file, registered with the fleet's usage (C 公交客运
--   for buses, D 出租客运 for taxis), and the ledger's powertrain must agree with
--   the registration: a new_energy label (energy_class of
--   intermediate.int_buses__energy_class / int_taxis__energy_class) exactly
--   when the registration is electric (is_electric of marts.dim_vehicle). A
--   plate missing only because ingest quarantined its registration row is
--   registration_quarantined, not no_registration. One registration per
--   plate: one still registered first, then the latest. Only pseudonyms are
--   listed, never plates.
-- columns:
--   fleet: bus or taxi
--   vehicle_id: fleet number (bus) or plate pseudonym (taxi)
--   plate_pseudonym: keyed hash of the normalised plate
--   mismatch_kind: no_registration, registration_quarantined, usage_mismatch
--     or energy_mismatch
--   detail: what disagrees, in words
--   powertrain_label: the ledger's powertrain label
--   energy_class: energy class of that label (reference.powertrain); unknown
--     when the label is not in it
--   registration_usage: 使用性质 letter of the registration
--   registration_plate_type: 号牌种类 code of the registration
--   registration_fuel: 燃料种类 letters of the registration
--   ledger_file: ledger file the vehicle comes from
--   registrations_file: registrations file the plate was found in

with

registrations as (
    select * from staging.stg_registrations__vehicles
),

vehicles as (
    select * from marts.dim_vehicle
),

buses as (
    select * from intermediate.int_buses__energy_class
),

taxis as (
    select * from intermediate.int_taxis__energy_class
),

accepted_files as (
    select * from staging.stg_audit__accepted_files
),

quarantine as (
    select * from quality.quarantine
),

registration as (
    select
        registrations.plate_pseudonym,
        registrations.usage_code,
        registrations.plate_type_code as plate_type,
        registrations.fuel_codes as fuel,
        registrations.source_file,
        vehicles.is_electric
    from registrations
    inner join vehicles
        on registrations.source_row_number = vehicles.source_row_number
    qualify row_number() over (
        partition by registrations.plate_pseudonym
        order by
            -- still registered (no E deregistered / B transferred out) first
            regexp_matches(
                coalesce(registrations.status_codes, ''), '[EB]'
            ) asc,
            registrations.first_registered_on desc,
            registrations.source_row_number asc
    ) = 1
),

quarantined_registrations as (
    select distinct
        json_extract_string(quarantine.raw_record, '$.plate')
            as plate_pseudonym
    from quarantine
    inner join accepted_files
        on
            quarantine.source = accepted_files.source
            and quarantine.file_name = accepted_files.file_name
            and accepted_files.is_newest
    where quarantine.source = 'registrations'
),

ledger_vehicles as (
    select
        'bus' as fleet,
        'C' as expected_usage,
        fleet_no as vehicle_id,
        plate_pseudonym,
        powertrain_label,
        energy_class,
        source_file as ledger_file
    from buses
    union all
    select
        'taxi' as fleet,
        'D' as expected_usage,
        plate_pseudonym as vehicle_id,
        plate_pseudonym,
        powertrain_label,
        energy_class,
        source_file as ledger_file
    from taxis
    where taxi_kind = '巡游出租车'
),

checked as (
    select
        ledger_vehicles.*,
        registration.usage_code,
        registration.plate_type,
        registration.fuel,
        registration.is_electric,
        registration.source_file as registrations_file,
        registration.plate_pseudonym is not null as is_registered,
        quarantined_registrations.plate_pseudonym is not null as is_quarantined
    from ledger_vehicles
    left join registration
        on ledger_vehicles.plate_pseudonym = registration.plate_pseudonym
    left join quarantined_registrations
        on
            ledger_vehicles.plate_pseudonym
            = quarantined_registrations.plate_pseudonym
),

mismatches as (
    select
        *,
        'no_registration' as mismatch_kind,
        'plate not in the newest registrations file' as detail
    from checked
    where not is_registered and not is_quarantined
    union all
    select
        *,
        'registration_quarantined' as mismatch_kind,
        'registration row quarantined at ingest (see quality.quarantine)'
            as detail
    from checked
    where not is_registered and is_quarantined
    union all
    select
        *,
        'usage_mismatch' as mismatch_kind,
        'registered with usage ' || coalesce(usage_code, '(blank)')
        || ', expected ' || expected_usage as detail
    from checked
    where is_registered and usage_code is distinct from expected_usage
    union all
    select
        *,
        'energy_mismatch' as mismatch_kind,
        'ledger ' || powertrain_label || ' (' || energy_class
        || ') but registration plate_type ' || coalesce(plate_type, '(blank)')
        || ', fuel ' || coalesce(fuel, '(blank)')
        || case
            when is_electric then ' (electric)' else ' (not electric)'
        end as detail
    from checked
    where is_registered and (energy_class = 'new_energy') != is_electric
),

final as (
    select
        fleet,
        vehicle_id,
        plate_pseudonym,
        mismatch_kind,
        detail,
        powertrain_label,
        energy_class,
        usage_code as registration_usage,
        plate_type as registration_plate_type,
        fuel as registration_fuel,
        ledger_file,
        registrations_file
    from mismatches
    where exists (select 1 from registrations)
    order by fleet, mismatch_kind, vehicle_id
)

select * from final
