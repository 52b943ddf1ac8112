-- The CO2 a year still on the table for each fleet target: the vehicles still
--   missing × what one of them would save.
-- grain: one row per fleet target of reference.targets (kind fleet)
-- key: indicator_id, deadline
-- why: a director reads that N buses are missing; this says what replacing
--   them would save. Saving per vehicle = km a year (reference.fleet_activity)
--   × (CO2 per km of the fleet's conventional powertrain − CO2 per km of its
--   replacement powertrain, electricity at the grid factor). Bounds: least and
--   greatest of the low-value, central and high-value scenarios.
-- columns:
--   indicator_id: fleet indicator of the target
--   deadline: deadline of the target
--   fleet: bus or taxi
--   units_to_close: vehicles still needed (metrics.target_gap)
--   conventional_powertrain: powertrain replaced
--   replacement_powertrain: powertrain assumed for the replacement
--   km_per_year: km a year of one vehicle (central)
--   saving_per_vehicle_t: CO2 a year one replacement saves, tonnes
--   saving_per_vehicle_t_low: lower bound of saving_per_vehicle_t
--   saving_per_vehicle_t_high: upper bound of saving_per_vehicle_t
--   co2_on_table_t: units_to_close × saving_per_vehicle_t, tonnes a year
--   co2_on_table_t_low: lower bound of co2_on_table_t
--   co2_on_table_t_high: upper bound of co2_on_table_t

with

gaps as (
    select * from metrics.target_gap
),

targets as (
    select * from reference.targets
),

activity as (
    select * from reference.fleet_activity
),

intensity as (
    select * from reference.energy_intensity
),

factors as (
    select * from reference.emission_factors
),

co2_per_km as (
    select
        intensity.fleet,
        intensity.powertrain,
        sum(intensity.value_central * factors.value_central) / 100
            as kg_per_km,
        sum(intensity.value_low * factors.value_low) / 100 as kg_per_km_low,
        sum(intensity.value_high * factors.value_high) / 100 as kg_per_km_high
    from intensity
    inner join factors
        on intensity.carrier = factors.code
    group by intensity.fleet, intensity.powertrain
),

saving as (
    select
        activity.indicator_id,
        activity.code as fleet,
        activity.conventional_powertrain,
        activity.replacement_powertrain,
        activity.value_central as km_per_year,
        activity.value_central
        * (conventional.kg_per_km - replacement.kg_per_km)
        / 1000 as central_t,
        activity.value_low
        * (conventional.kg_per_km_low - replacement.kg_per_km_low)
        / 1000 as low_scenario_t,
        activity.value_high
        * (conventional.kg_per_km_high - replacement.kg_per_km_high)
        / 1000 as high_scenario_t
    from activity
    inner join co2_per_km as conventional
        on
            activity.code = conventional.fleet
            and activity.conventional_powertrain = conventional.powertrain
    inner join co2_per_km as replacement
        on
            activity.code = replacement.fleet
            and activity.replacement_powertrain = replacement.powertrain
),

final as (
    select
        gaps.indicator_id,
        gaps.deadline,
        saving.fleet,
        gaps.units_to_close,
        saving.conventional_powertrain,
        saving.replacement_powertrain,
        saving.km_per_year,
        saving.central_t as saving_per_vehicle_t,
        least(saving.low_scenario_t, saving.central_t, saving.high_scenario_t)
            as saving_per_vehicle_t_low,
        greatest(
            saving.low_scenario_t, saving.central_t, saving.high_scenario_t
        ) as saving_per_vehicle_t_high,
        gaps.units_to_close * saving.central_t as co2_on_table_t,
        gaps.units_to_close
        * least(saving.low_scenario_t, saving.central_t, saving.high_scenario_t)
            as co2_on_table_t_low,
        gaps.units_to_close
        * greatest(
            saving.low_scenario_t, saving.central_t, saving.high_scenario_t
        ) as co2_on_table_t_high
    from gaps
    inner join targets
        on gaps.indicator_id = targets.id and gaps.deadline = targets.deadline
    inner join saving
        on gaps.indicator_id = saving.indicator_id
    where targets.kind = 'fleet'
    order by gaps.deadline, gaps.indicator_id
)

select * from final
