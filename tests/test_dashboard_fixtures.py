"""A small warehouse with literal rows for the dashboard tests (no test functions here).

Five targets in five states: buses passed the deadline and missed it (92.0% now, 91.4% at the
deadline), taxis off track, new public vehicles met, transit on track, green travel off track.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from assets.reference.code_tables import read_code_table, read_targets
from assets.warehouse.assets import build_model
from assets.warehouse.sql_models import discover_models
from pipelines import project
from pipelines.warehouse import declarations, replace_table

BUS_NUMERATORS = [300, 302, 305, 306, 308, 310, 312, 314, 316, 318, 319, 320, 322]
BUS_MONTHS = [
    "2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06", "2025-07",
    "2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01",
]  # fmt: skip
TAXI_NUMERATORS = [200, 205, 208, 210, 214, 216, 219, 221, 224, 226, 228, 230]
TAXI_MONTHS = [
    "2024-11", "2024-12", "2025-01", "2025-02", "2025-03", "2025-04",
    "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10",
]  # fmt: skip


def month_end(period: str) -> date:
    year, month = (int(p) for p in period.split("-"))
    following = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def _value_row(indicator, period, end, numerator, denominator, sample=None, ci=(None, None)):
    return {
        "indicator_id": indicator,
        "period": period,
        "period_end": end,
        "value": numerator / denominator,
        "numerator": float(numerator),
        "denominator": float(denominator),
        "sample_size": sample if sample is not None else denominator,
        "ci_low": ci[0],
        "ci_high": ci[1],
    }


def indicator_values() -> pl.DataFrame:
    rows = [
        _value_row("bus_clean_share", p, month_end(p), n, 350)
        for p, n in zip(BUS_MONTHS, BUS_NUMERATORS, strict=True)
    ]
    rows += [
        _value_row("urban_taxi_nev_share", p, month_end(p), n, 500)
        for p, n in zip(TAXI_MONTHS, TAXI_NUMERATORS, strict=True)
    ]
    for year, n, d in [(2022, 40, 90), (2023, 60, 95), (2024, 70, 92)]:
        rows.append(_value_row("new_public_vehicle_ev_share", str(year), date(year, 12, 31), n, d))
    rows.append(_value_row("new_public_vehicle_ev_share", "2025", date(2025, 10, 31), 82, 100))
    for wave, transit, motorised, green, excl in [
        ("2021", (3.1, 0.026, 0.036), 0.071, (57.0, 0.55, 0.59), 0.40),
        ("2023", (3.6, 0.031, 0.041), 0.082, (57.5, 0.555, 0.595), 0.41),
        ("2024", (4.1, 0.035, 0.047), 0.090, (58.0, 0.56, 0.60), 0.42),
    ]:
        end = date(int(wave), 12, 31)
        rows.append(
            _value_row("transit_mode_share", wave, end, transit[0], 100.0, 2400, transit[1:])
        )
        rows.append(_value_row("transit_motorised_share", wave, end, motorised * 45, 45.0, 1100))
        rows.append(_value_row("green_travel_share", wave, end, green[0], 100.0, 2400, green[1:]))
        rows.append(_value_row("green_travel_share_excl_ebike", wave, end, excl * 100, 100.0, 2400))
    return pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.col("sample_size").cast(pl.Int64)
    )


def indicator_ratios() -> pl.DataFrame:
    """The same values as exact ratios, which the trend models fit (metrics.indicator_ratios)."""
    columns = ["indicator_id", "period", "period_end", "numerator", "denominator", "sample_size"]
    return indicator_values().select(columns)


def _gap(
    indicator,
    zh,
    en,
    target,
    latest_period,
    latest,
    at_deadline,
    gap,
    status,
    projected,
    units,
    as_of,
):
    return {
        "indicator_id": indicator, "name_zh": zh, "name_en": en, "target_value": target,
        "deadline": date(2025, 12, 31), "latest_period": latest_period, "latest_value": latest,
        "value_at_deadline": at_deadline, "gap_pp": gap, "status": status,
        "projected_at_deadline": projected, "units_to_close": units, "as_of": as_of,
    }  # fmt: skip


def target_gap() -> pl.DataFrame:
    rows = [
        _gap("green_travel_share", "绿色出行比例", "Green travel share of trips", 0.60, "2024",
             0.58, None, 2.0000000000000018, "off_track", 0.5915, None, date(2024, 12, 31)),
        _gap("bus_clean_share", "新能源和清洁能源公交车辆占比",
             "New- and clean-energy share of buses", 0.92, "2026-01", 322 / 350, 320 / 350,
             0.0, "missed", None, 0, date(2026, 1, 31)),
        _gap("urban_taxi_nev_share", "市区新能源出租汽车占比",
             "New-energy share of urban-area taxis", 0.50, "2025-10", 0.46, None, 4.0,
             "off_track", 0.4873, 20, date(2025, 10, 31)),
        _gap("new_public_vehicle_ev_share",
             "新增和更新公务用车、环卫车辆、邮政、出租汽车等电动车辆占比",
             "Electric share of new official, sanitation, postal and taxi vehicles", 0.80,
             "2025", 0.82, None, -2.0, "met", 0.9467, 0, date(2025, 10, 31)),
        _gap("transit_mode_share", "公共交通出行分担率", "Public transport share of trips",
             0.05, "2024", 0.041, None, 0.9000000000000004, "on_track", 0.0506, None,
             date(2024, 12, 31)),
    ]  # fmt: skip
    return pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.col("units_to_close").cast(pl.Int64)
    )


def bus_fleet_monthly() -> pl.DataFrame:
    rows = []
    for period, qualifying in zip(BUS_MONTHS, BUS_NUMERATORS, strict=True):
        for powertrain, energy_class, buses in [
            ("BEV", "new_energy", qualifying - 100),
            ("CNG", "clean_energy", 100),
            ("DIESEL", "conventional", 350 - qualifying),
        ]:
            rows.append((period, month_end(period), powertrain, energy_class, buses))
    schema = ["period", "period_end", "powertrain", "energy_class", "buses_in_service"]
    return pl.DataFrame(rows, schema=schema, orient="row")


def taxi_fleet_monthly() -> pl.DataFrame:
    rows = []
    for period, nev in zip(TAXI_MONTHS, TAXI_NUMERATORS, strict=True):
        # only the 市区 巡游出租车 are in urban_taxi_nev_share's fleet (is_urban_taxi_scope)
        for kind, area, powertrain, energy_class, taxis, urban in [
            ("巡游出租车", "市区", "BEV", "new_energy", nev, True),
            ("巡游出租车", "市区", "PETROL", "conventional", 500 - nev, True),
            ("巡游出租车", "沙溪镇", "BEV", "new_energy", 12, False),
            ("巡游出租车", "沙溪镇", "CNG", "clean_energy", 30, False),
            ("网约车", "市区", "BEV", "new_energy", 400, False),
        ]:
            end = month_end(period)
            rows.append((period, end, kind, area, powertrain, energy_class, taxis, urban))
    schema = ["period", "period_end", "taxi_kind", "operating_area", "powertrain",
              "energy_class", "taxis_in_service", "is_urban_taxi_scope"]  # fmt: skip
    return pl.DataFrame(rows, schema=schema, orient="row")


def new_public_vehicles_yearly() -> pl.DataFrame:
    rows = [
        ("2024", "official", True, True, 30), ("2024", "official", True, False, 10),
        ("2024", "taxi", True, True, 40), ("2024", "sanitation", True, False, 12),
        ("2025", "official", True, True, 42), ("2025", "postal", True, True, 10),
        ("2025", "taxi", True, True, 30), ("2025", "sanitation", True, False, 18),
        ("2025", "private", False, True, 900),
    ]  # fmt: skip
    schema = ["period", "vehicle_category", "is_public_vehicle_scope", "is_electric", "vehicles"]
    return pl.DataFrame(rows, schema=schema, orient="row")


def survey_mode_share() -> pl.DataFrame:
    rows = []
    for wave, shares in [
        ("2023", (0.30, 0.11, 0.12, 0.031, 0.42)),
        ("2024", (0.29, 0.11, 0.14, 0.035, 0.43)),
    ]:
        for (code, zh, en), share in zip(
            [
                ("1", "步行", "walk"),
                ("2", "自行车(含共享单车)", "bicycle"),
                ("3", "电动自行车", "e-bike"),
                ("4", "公交车", "bus"),
                ("8", "小汽车(驾驶)", "car driver"),
            ],
            shares,
            strict=True,
        ):
            rows.append((wave, code, zh, en, share, round(share * 2400)))
    schema = ["wave_id", "main_mode_code", "mode_label_zh", "mode_label_en", "weighted_share",
              "trips"]  # fmt: skip
    return pl.DataFrame(rows, schema=schema, orient="row")


def survey_mode_split() -> pl.DataFrame:
    """The survey estimates' mode split: shares with 95% intervals."""
    rows = [
        ("2024", date(2024, 12, 31), 1, "步行", "walk", 0.29, 0.27, 0.31, 700),
        ("2024", date(2024, 12, 31), 3, "电动自行车", "e-bike", 0.14, 0.12, 0.16, 330),
        ("2024", date(2024, 12, 31), 4, "公交车", "bus", 0.035, 0.029, 0.041, 80),
        ("2024", date(2024, 12, 31), 8, "小汽车(驾驶)", "car driver", 0.43, 0.40, 0.46, 1030),
    ]
    schema = ["wave_id", "period_end", "mode_code", "label_zh", "label_en", "share", "ci_low",
              "ci_high", "trips"]  # fmt: skip
    return pl.DataFrame(rows, schema=schema, orient="row")


def survey_breakdowns() -> pl.DataFrame:
    """Shares by town for the latest wave (2024) and an older one that must not show."""
    rows = [
        ("2024", "town", "320585100", "城厢镇", "Chengxiang", "transit_mode_share", 0.052, 0.04,
         0.064, 900, False),
        ("2024", "town", "320585101", "沙溪镇", "Shaxi", "transit_mode_share", 0.021, 0.01, 0.032,
         300, False),
        ("2024", "town", "320585105", "双凤镇", "Shuangfeng", "transit_mode_share", 0.01, 0.0,
         0.03, 40, True),
        ("2024", "town", "320585100", "城厢镇", "Chengxiang", "green_travel_share", 0.61, 0.58,
         0.64, 900, False),
        ("2023", "town", "320585100", "城厢镇", "Chengxiang", "green_travel_share", 0.5, 0.47,
         0.53, 800, False),
    ]  # fmt: skip
    schema = ["wave_id", "dimension", "category", "label_zh", "label_en", "measure", "value",
              "ci_low", "ci_high", "sample_size", "thin"]  # fmt: skip
    return pl.DataFrame(rows, schema=schema, orient="row")


def source_files() -> pl.DataFrame:
    rows = [
        ("bus_fleet", "bus_fleet/bus_fleet_20260131.xlsx", date(2026, 1, 31), 352, 350, 2,
         "accepted", None),
        ("taxi_fleet", "taxi_fleet/taxi_fleet_20251031.csv", date(2025, 10, 31), 1000, 1000, 0,
         "accepted", None),
        ("taxi_fleet", "taxi_fleet/taxi_fleet_20251130.csv", date(2025, 11, 30), 0, 0, 0,
         "rejected", "missing required column 营运区域"),
        ("registrations", "registrations/registrations_20251031.csv", date(2025, 10, 31), 1200,
         1190, 10, "accepted", None),
    ]  # fmt: skip
    schema = ["source", "file_name", "file_date", "rows_read", "rows_loaded", "rows_quarantined",
              "status", "reason"]  # fmt: skip
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    return frame.with_columns(
        pl.lit("run-1").alias("run_id"),
        ("sha-" + pl.col("file_name")).alias("sha256"),
        pl.lit(dt.datetime(2026, 2, 1, 8, 0)).alias("loaded_at"),
        pl.lit(True).alias("is_current"),
    )


def quarantine() -> pl.DataFrame:
    rows = [("bus_fleet", "bus_fleet/bus_fleet_20260131.xlsx", 7, "status",
             "报废 without retired_on"),
            ("registrations", "registrations/registrations_20251031.csv", 3, "usage",
             "unknown usage letter X")] * 2  # fmt: skip
    return pl.DataFrame(
        rows, schema=["source", "file_name", "row_number", "column_name", "reason"], orient="row"
    )


def fleet_co2_monthly() -> pl.DataFrame:
    """Buses emit less as they turn clean; taxis likewise (tonnes, bounds ±30%)."""
    rows = []
    for fleet, indicator, months, numerators in [
        ("bus", "bus_clean_share", BUS_MONTHS, BUS_NUMERATORS),
        ("taxi", "urban_taxi_nev_share", TAXI_MONTHS, TAXI_NUMERATORS),
    ]:
        for period, qualifying in zip(months, numerators, strict=True):
            co2, avoided = 900.0 - qualifying, qualifying * 1.5
            rows.append({
                "indicator_id": indicator, "fleet": fleet, "period": period,
                "period_end": month_end(period), "co2_t": co2, "co2_t_low": co2 * 0.7,
                "co2_t_high": co2 * 1.3, "co2_avoided_t": avoided,
                "co2_avoided_t_low": avoided * 0.7, "co2_avoided_t_high": avoided * 1.3,
            })  # fmt: skip
    return pl.DataFrame(rows)


def target_gap_co2() -> pl.DataFrame:
    """Buses: nothing left (0 vehicles); taxis: 20 × 9.5 t = 190 t a year (133 – 285)."""
    rows = [
        ("bus_clean_share", 0, 17.2, 10.0, 20.0, 0.0, 0.0, 0.0),
        ("urban_taxi_nev_share", 20, 9.5, 6.65, 14.25, 190.0, 133.0, 285.0),
    ]
    columns = ["indicator_id", "units_to_close", "saving_per_vehicle_t",
               "saving_per_vehicle_t_low", "saving_per_vehicle_t_high", "co2_on_table_t",
               "co2_on_table_t_low", "co2_on_table_t_high"]  # fmt: skip
    return pl.DataFrame(rows, schema=columns, orient="row").with_columns(
        pl.lit(date(2025, 12, 31)).alias("deadline")
    )


def factor_table(name: str):
    return lambda: read_code_table(project.REFERENCE_DIR, name)


TABLES = {
    "metrics.indicator_values": indicator_values,
    "metrics.indicator_ratios": indicator_ratios,
    "metrics.target_gap": target_gap,
    "marts.fct_bus_fleet_monthly": bus_fleet_monthly,
    "marts.fct_taxi_fleet_monthly": taxi_fleet_monthly,
    "marts.fct_new_public_vehicles_yearly": new_public_vehicles_yearly,
    "marts.fct_survey_mode_share": survey_mode_share,
    "marts.fct_survey_mode_split": survey_mode_split,
    "marts.fct_survey_breakdowns": survey_breakdowns,
    "audit.source_files": source_files,
    "quality.quarantine": quarantine,
    "metrics.fleet_co2_monthly": fleet_co2_monthly,
    "metrics.target_gap_co2": target_gap_co2,
    "reference.emission_factors": factor_table("emission_factors"),
    "reference.energy_intensity": factor_table("energy_intensity"),
    "reference.fleet_activity": factor_table("fleet_activity"),
    "reference.targets": lambda: read_targets(project.REFERENCE_DIR),
}


# The project's own models the page reads, built from the fixture tables they read.
FIXTURE_MODELS = (
    "staging.stg_audit__accepted_files",
    "intermediate.int_targets__periods",
    "intermediate.int_targets__trend",
)


def with_declared_columns(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """A fixture frame holds the columns the dashboard reads; a table built in Python must hold
    every column its declaration in dbt_like_sql/ documents, so the others are added, null."""
    declaration = declarations().get(name)
    if declaration is None:
        return frame
    absent = [column for column in declaration.column_docs if column not in frame.columns]
    return frame.with_columns(pl.lit(None).alias(column) for column in absent)


def build_warehouse(path: Path, tables: dict = TABLES) -> Path:
    """Writes the fixture tables into a new DuckDB file at `path`, then each of
    FIXTURE_MODELS whose inputs are there."""
    with duckdb.connect(str(path)) as con:
        for name, frame in tables.items():
            replace_table(con, name, with_declared_columns(name, frame()))
        present = set(tables)
        for model in discover_models(project.SQL_DIR):
            if model.qualified_name in FIXTURE_MODELS and set(model.reads) <= present:
                build_model(con, model)
                present.add(model.qualified_name)
    return path
