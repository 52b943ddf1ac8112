-- Energy and CO2 of the buses and urban taxis in each month, by powertrain.
-- grain: one row per fleet (bus, taxi) per month per powertrain with vehicles
-- key: fleet, period, powertrain
-- why: the carbon view of the fleet targets. Energy = vehicle-km
--   (intermediate.int_fleets__monthly_km) × energy per 100 km
--   (reference.energy_intensity; a powertrain without a row for its fleet is
--   counted as the fleet's conventional powertrain, reference.fleet_activity,
--   so the estimate never flatters an unknown vehicle). CO2 = energy × the
--   carrier's factor (reference.emission_factors). Bounds are two scenarios:
--   low takes every km, intensity and factor at its low value, high at its
--   high value; avoided bounds are the least and greatest of the low, central
--   and high differences.
-- columns:
--   fleet: bus or taxi (urban street-hail taxis, the fleet of
--     urban_taxi_nev_share)
--   period: calendar month YYYY-MM
--   period_end: evaluation day of the month (as in the fleet marts)
--   powertrain: powertrain of the vehicles (reference.powertrain)
--   energy_class: new_energy, clean_energy, conventional or unknown
--   vehicles: buses on routes with scheduled km / urban taxis in service
--   vehicle_km: vehicle-km in the month (buses: GTFS scheduled; taxis:
--     vehicles × km a year / 12)
--   intensity_powertrain: powertrain whose energy per 100 km was used
--   electricity_kwh: grid electricity, kWh
--   diesel_l: diesel, litres
--   petrol_l: petrol, litres
--   lng_kg: liquefied natural gas, kg
--   cng_m3: compressed natural gas, m3
--   co2_ttw_kg: tank-to-wheel CO2 (fuel burnt on board; electricity counts 0),
--     kg
--   co2_kg: CO2 with electricity at the grid factor, kg
--   co2_kg_low: co2_kg with every factor at its low value
--   co2_kg_high: co2_kg with every factor at its high value
--   conventional_co2_kg: CO2 the same km would emit on the fleet's
--     conventional powertrain, kg
--   conventional_co2_kg_low: conventional_co2_kg at low values
--   conventional_co2_kg_high: conventional_co2_kg at high values
--   co2_avoided_kg: conventional_co2_kg − co2_kg
--   co2_avoided_kg_low: lower bound of co2_avoided_kg
--   co2_avoided_kg_high: upper bound of co2_avoided_kg

with

fleet_km as (
    select * from intermediate.int_fleets__monthly_km
),

intensity as (
    select * from reference.energy_intensity
),

factors as (
    select * from reference.emission_factors
),

activity as (
    select * from reference.fleet_activity
),

modelled_powertrains as (
    select distinct
        fleet,
        powertrain
    from intensity
),

modelled as (
    select
        fleet_km.*,
        activity.conventional_powertrain,
        coalesce(
            modelled_powertrains.powertrain, activity.conventional_powertrain
        ) as intensity_powertrain
    from fleet_km
    inner join activity
        on fleet_km.fleet = activity.code
    left join modelled_powertrains
        on
            fleet_km.fleet = modelled_powertrains.fleet
            and fleet_km.powertrain = modelled_powertrains.powertrain
),

carrier_rates as (
    select
        intensity.fleet,
        intensity.powertrain,
        intensity.carrier,
        factors.value_central as factor,
        factors.value_low as factor_low,
        factors.value_high as factor_high,
        intensity.value_central / 100 as per_km,
        intensity.value_low / 100 as per_km_low,
        intensity.value_high / 100 as per_km_high
    from intensity
    inner join factors
        on intensity.carrier = factors.code
),

energy as (
    select
        modelled.fleet,
        modelled.period,
        modelled.powertrain,
        carrier_rates.carrier,
        modelled.vehicle_km * carrier_rates.per_km as energy,
        modelled.vehicle_km * carrier_rates.per_km * carrier_rates.factor
            as co2_kg,
        modelled.vehicle_km_low
        * carrier_rates.per_km_low
        * carrier_rates.factor_low as co2_kg_low,
        modelled.vehicle_km_high
        * carrier_rates.per_km_high
        * carrier_rates.factor_high as co2_kg_high
    from modelled
    inner join carrier_rates
        on
            modelled.fleet = carrier_rates.fleet
            and modelled.intensity_powertrain = carrier_rates.powertrain
),

conventional as (
    select
        modelled.fleet,
        modelled.period,
        modelled.powertrain,
        sum(modelled.vehicle_km * carrier_rates.per_km * carrier_rates.factor)
            as co2_kg,
        sum(
            modelled.vehicle_km_low
            * carrier_rates.per_km_low
            * carrier_rates.factor_low
        ) as co2_kg_low,
        sum(
            modelled.vehicle_km_high
            * carrier_rates.per_km_high
            * carrier_rates.factor_high
        ) as co2_kg_high
    from modelled
    inner join carrier_rates
        on
            modelled.fleet = carrier_rates.fleet
            and modelled.conventional_powertrain = carrier_rates.powertrain
    group by modelled.fleet, modelled.period, modelled.powertrain
),

by_powertrain as (
    select
        fleet,
        period,
        powertrain,
        coalesce(sum(energy) filter (where carrier = 'electricity'), 0)
            as electricity_kwh,
        coalesce(sum(energy) filter (where carrier = 'diesel'), 0) as diesel_l,
        coalesce(sum(energy) filter (where carrier = 'petrol'), 0) as petrol_l,
        coalesce(sum(energy) filter (where carrier = 'lng'), 0) as lng_kg,
        coalesce(sum(energy) filter (where carrier = 'cng'), 0) as cng_m3,
        coalesce(sum(co2_kg) filter (where carrier <> 'electricity'), 0)
            as co2_ttw_kg,
        sum(co2_kg) as co2_kg,
        sum(co2_kg_low) as co2_kg_low,
        sum(co2_kg_high) as co2_kg_high
    from energy
    group by fleet, period, powertrain
),

final as (
    select
        modelled.fleet,
        modelled.period,
        modelled.period_end,
        modelled.powertrain,
        modelled.energy_class,
        modelled.vehicles,
        modelled.vehicle_km,
        modelled.intensity_powertrain,
        by_powertrain.electricity_kwh,
        by_powertrain.diesel_l,
        by_powertrain.petrol_l,
        by_powertrain.lng_kg,
        by_powertrain.cng_m3,
        by_powertrain.co2_ttw_kg,
        by_powertrain.co2_kg,
        by_powertrain.co2_kg_low,
        by_powertrain.co2_kg_high,
        conventional.co2_kg as conventional_co2_kg,
        conventional.co2_kg_low as conventional_co2_kg_low,
        conventional.co2_kg_high as conventional_co2_kg_high,
        conventional.co2_kg - by_powertrain.co2_kg as co2_avoided_kg,
        least(
            conventional.co2_kg_low - by_powertrain.co2_kg_low,
            conventional.co2_kg - by_powertrain.co2_kg,
            conventional.co2_kg_high - by_powertrain.co2_kg_high
        ) as co2_avoided_kg_low,
        greatest(
            conventional.co2_kg_low - by_powertrain.co2_kg_low,
            conventional.co2_kg - by_powertrain.co2_kg,
            conventional.co2_kg_high - by_powertrain.co2_kg_high
        ) as co2_avoided_kg_high
    from modelled
    inner join by_powertrain
        on
            modelled.fleet = by_powertrain.fleet
            and modelled.period = by_powertrain.period
            and modelled.powertrain = by_powertrain.powertrain
    inner join conventional
        on
            modelled.fleet = conventional.fleet
            and modelled.period = conventional.period
            and modelled.powertrain = conventional.powertrain
    order by modelled.fleet, modelled.period, modelled.powertrain
)

select * from final
