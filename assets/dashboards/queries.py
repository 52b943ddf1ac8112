"""The queries behind each part of the page (table, needed columns, SQL), in one place."""

from assets.dashboards.reads import TableRead

# Service of the newest accepted version of each feed, per representative day type.
LATEST_FEEDS_DAILY = """
select versions.file_date, daily.*
from marts.fct_gtfs_feed_service_daily as daily
inner join marts.dim_gtfs_feed_version as versions on daily.feed_version = versions.feed_version
where versions.is_newest
order by daily.feed_name, daily.day_type
"""

METRICS = {
    "indicator_values": TableRead(
        "metrics.indicator_values",
        ("indicator_id", "period", "period_end", "value", "numerator", "denominator"),
        "select * from metrics.indicator_values order by indicator_id, period_end, period",
    ),
    "target_gap": TableRead(
        "metrics.target_gap",
        ("indicator_id", "name_zh", "name_en", "target_value", "deadline", "status"),
        "select * from metrics.target_gap order by indicator_id",
    ),
    # The trend line of each target, fitted once for metrics.target_gap and the charts.
    "target_trend": TableRead(
        "intermediate.int_targets__trend",
        (
            "indicator_id",
            "deadline",
            "points",
            "value_at_deadline",
            "slope_per_day",
            "window_start",
            "window_end",
        ),
        "select * from intermediate.int_targets__trend order by indicator_id, deadline",
    ),  # fmt: skip
    # Each target's kind (fleet, registrations, survey) as reference/targets.yaml states it.
    "target_kinds": TableRead(
        "reference.targets",
        ("id", "kind"),
        "select distinct id as indicator_id, kind from reference.targets order by indicator_id",
    ),
}

COMPOSITION = {
    "bus_fleet": TableRead(
        "marts.fct_bus_fleet_monthly",
        ("period", "period_end", "powertrain", "energy_class", "buses_in_service"),
        "select period, period_end, powertrain, energy_class, "
        "sum(buses_in_service) as vehicles from marts.fct_bus_fleet_monthly "
        "group by period, period_end, powertrain, energy_class order by period, powertrain",
    ),
    "taxi_fleet": TableRead(
        "marts.fct_taxi_fleet_monthly",
        (
            "period",
            "period_end",
            "powertrain",
            "energy_class",
            "taxis_in_service",
            "is_urban_taxi_scope",
        ),
        "select period, period_end, powertrain, energy_class, "
        "sum(taxis_in_service) as vehicles from marts.fct_taxi_fleet_monthly "
        "where is_urban_taxi_scope "
        "group by period, period_end, powertrain, energy_class order by period, powertrain",
    ),
    "taxi_by_area": TableRead(
        "marts.fct_taxi_fleet_monthly",
        ("period", "taxi_kind", "operating_area", "energy_class", "taxis_in_service"),
        "select period, taxi_kind, operating_area, energy_class, "
        "sum(taxis_in_service) as vehicles from marts.fct_taxi_fleet_monthly "
        "where period = (select max(period) from marts.fct_taxi_fleet_monthly) "
        "group by period, taxi_kind, operating_area, energy_class "
        "order by taxi_kind, operating_area, energy_class",
    ),
    "new_vehicles": TableRead(
        "marts.fct_new_public_vehicles_yearly",
        ("period", "vehicle_category", "is_public_vehicle_scope", "is_electric", "vehicles"),
        "select period, vehicle_category, is_electric, sum(vehicles) as vehicles "
        "from marts.fct_new_public_vehicles_yearly where is_public_vehicle_scope "
        "group by period, vehicle_category, is_electric "
        "order by period, vehicle_category, is_electric",
    ),
    "survey_mode_split": TableRead(
        "marts.fct_survey_mode_split",
        ("wave_id", "mode_code", "label_zh", "label_en", "share", "ci_low", "ci_high"),
        "select wave_id, cast(mode_code as varchar) as main_mode_code, "
        "label_zh as mode_label_zh, label_en as mode_label_en, share as weighted_share, "
        "ci_low, ci_high from marts.fct_survey_mode_split order by wave_id, mode_code",
    ),
    "survey_towns": TableRead(
        "marts.fct_survey_breakdowns",
        ("wave_id", "dimension", "category", "label_zh", "label_en", "measure", "value"),
        "select * from marts.fct_survey_breakdowns where dimension = 'town' "
        "and wave_id = (select max(wave_id) from marts.fct_survey_breakdowns) "
        "order by measure, category",
    ),
    "survey_modes": TableRead(
        "marts.fct_survey_mode_share",
        ("wave_id", "main_mode_code", "mode_label_zh", "mode_label_en", "weighted_share"),
        "select * from marts.fct_survey_mode_share "
        "order by wave_id, try_cast(main_mode_code as integer)",
    ),
}

SUPPLY = {
    "gtfs_values": TableRead(
        "metrics.gtfs_indicator_values",
        ("indicator_id", "period", "period_end", "value"),
        "select * from metrics.gtfs_indicator_values "
        "where indicator_id = 'bus_km_clean_share' order by period_end",
    ),
    "gtfs_daily": TableRead(
        "marts.fct_gtfs_feed_service_daily",
        ("feed_version", "feed_name", "day_type", "trips", "bus_km", "service_hours"),
        LATEST_FEEDS_DAILY,
        requires=("marts.dim_gtfs_feed_version",),
    ),
}

QUALITY = {
    "source_files": TableRead(
        "audit.source_files",
        ("source", "file_name", "file_date", "rows_loaded", "rows_quarantined", "status"),
        "select * from audit.source_files order by source, file_date, file_name",
    ),
    # The newest accepted file of each source, by the one model that states the rule.
    "newest_files": TableRead(
        "staging.stg_audit__accepted_files",
        ("source", "file_name", "file_date", "rows_loaded", "rows_quarantined", "is_newest"),
        "select source, file_name as newest_file, file_date as newest_file_date, rows_loaded, "
        "rows_quarantined from staging.stg_audit__accepted_files where is_newest order by source",
    ),
    "quarantine": TableRead(
        "quality.quarantine",
        ("source", "reason"),
        "select source, reason, count(*) as records from quality.quarantine "
        "group by source, reason order by records desc, source, reason limit 20",
    ),
    "validation": TableRead(
        "quality.validation_results",
        ("suite", "expectation", "column", "success", "unexpected_count"),
        'select suite, expectation, "column", success, unexpected_count '
        "from quality.validation_results where not success "
        'order by suite, expectation, "column"',
    ),
}

ALL_READS = {**METRICS, **COMPOSITION, **SUPPLY, **QUALITY}

FACTOR_COLUMNS = "code, unit, value_central, value_low, value_high, source, source_year"
CARBON = {
    "carbon_monthly": TableRead(
        "metrics.fleet_co2_monthly",
        (
            "indicator_id",
            "fleet",
            "period",
            "period_end",
            "co2_t",
            "co2_t_low",
            "co2_t_high",
            "co2_avoided_t",
            "co2_avoided_t_low",
            "co2_avoided_t_high",
        ),
        "select * from metrics.fleet_co2_monthly order by fleet, period",
    ),  # fmt: skip
    "carbon_gap": TableRead(
        "metrics.target_gap_co2",
        (
            "indicator_id",
            "deadline",
            "units_to_close",
            "saving_per_vehicle_t",
            "saving_per_vehicle_t_low",
            "saving_per_vehicle_t_high",
            "co2_on_table_t",
            "co2_on_table_t_low",
            "co2_on_table_t_high",
        ),
        "select * from metrics.target_gap_co2 order by deadline, indicator_id",
    ),  # fmt: skip
    "carbon_factors": TableRead(
        "reference.emission_factors",
        ("code", "unit", "value_central", "value_low", "value_high", "source", "source_year"),
        f"select 'emission_factors' as factor_table, {FACTOR_COLUMNS} "
        "from reference.emission_factors union all "
        f"select 'energy_intensity', {FACTOR_COLUMNS} from reference.energy_intensity "
        f"union all select 'fleet_activity', {FACTOR_COLUMNS} from reference.fleet_activity",
        requires=("reference.energy_intensity", "reference.fleet_activity"),
    ),
}

ALL_READS = {**ALL_READS, **CARBON}
