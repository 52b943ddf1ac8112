-- Every factor the CO2 estimate uses, from its three reference tables: the
--   carbon section's factor table.
-- grain: one row per factor table and code
-- passes through: reference.emission_factors
-- columns:
--   factor_table: emission_factors, energy_intensity or fleet_activity

with

emission_factors as (
    select * from reference.emission_factors
),

energy_intensity as (
    select * from reference.energy_intensity
),

fleet_activity as (
    select * from reference.fleet_activity
),

factors as (
    select
        'emission_factors' as factor_table,
        *
    from emission_factors
    union all by name
    select
        'energy_intensity' as factor_table,
        *
    from energy_intensity
    union all by name
    select
        'fleet_activity' as factor_table,
        *
    from fleet_activity
),

final as (
    select
        factor_table,
        code,
        unit,
        value_central,
        value_low,
        value_high,
        source,
        source_year
    from factors
)

select * from final
