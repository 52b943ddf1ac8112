-- CO2 and energy of each fleet indicator's fleet, per indicator period.
-- grain: one row per fleet indicator per month
-- key: indicator_id, period
-- why: puts a carbon figure beside each monthly value of bus_clean_share and
--   urban_taxi_nev_share (the fleets of marts.fct_fleet_energy_co2_monthly,
--   summed over powertrains). Bounds are sums of the per-powertrain bounds, so
--   they are never narrower than the scenario bounds of the total.
-- columns:
--   indicator_id: fleet indicator the fleet belongs to
--     (reference.fleet_activity)
--   fleet: bus or taxi
--   period: calendar month YYYY-MM
--   period_end: evaluation day of the month
--   vehicles: buses on routes with scheduled km / urban taxis in service
--   vehicle_km: vehicle-km in the month
--   electricity_kwh: grid electricity, kWh
--   diesel_l: diesel, litres
--   petrol_l: petrol, litres
--   lng_kg: liquefied natural gas, kg
--   cng_m3: compressed natural gas, m3
--   co2_ttw_t: tank-to-wheel CO2, tonnes
--   co2_t: CO2 with electricity at the grid factor, tonnes
--   co2_t_low: lower bound of co2_t
--   co2_t_high: upper bound of co2_t
--   co2_avoided_t: CO2 avoided against an all-conventional fleet, tonnes
--   co2_avoided_t_low: lower bound of co2_avoided_t
--   co2_avoided_t_high: upper bound of co2_avoided_t

with

fleet_co2 as (
    select * from marts.fct_fleet_energy_co2_monthly
),

activity as (
    select * from reference.fleet_activity
),

final as (
    select
        activity.indicator_id,
        fleet_co2.fleet,
        fleet_co2.period,
        fleet_co2.period_end,
        sum(fleet_co2.vehicles) as vehicles,
        sum(fleet_co2.vehicle_km) as vehicle_km,
        sum(fleet_co2.electricity_kwh) as electricity_kwh,
        sum(fleet_co2.diesel_l) as diesel_l,
        sum(fleet_co2.petrol_l) as petrol_l,
        sum(fleet_co2.lng_kg) as lng_kg,
        sum(fleet_co2.cng_m3) as cng_m3,
        sum(fleet_co2.co2_ttw_kg) / 1000 as co2_ttw_t,
        sum(fleet_co2.co2_kg) / 1000 as co2_t,
        sum(fleet_co2.co2_kg_low) / 1000 as co2_t_low,
        sum(fleet_co2.co2_kg_high) / 1000 as co2_t_high,
        sum(fleet_co2.co2_avoided_kg) / 1000 as co2_avoided_t,
        sum(fleet_co2.co2_avoided_kg_low) / 1000 as co2_avoided_t_low,
        sum(fleet_co2.co2_avoided_kg_high) / 1000 as co2_avoided_t_high
    from fleet_co2
    inner join activity
        on fleet_co2.fleet = activity.code
    group by
        activity.indicator_id,
        fleet_co2.fleet,
        fleet_co2.period,
        fleet_co2.period_end
    order by activity.indicator_id, fleet_co2.period
)

select * from final
