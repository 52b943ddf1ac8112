"""The carbon view on hand-made warehouses: every expected number is worked out by hand.

The factors are set in the fixture (round numbers) so the arithmetic below does not move when
reference/emission_factors.csv is revised.
"""

import pytest

from tests.sql_fixtures import Warehouse

# code: (central, low, high)
FACTORS = {"electricity": (0.5, 0.4, 0.6), "diesel": (2.6, 2.5, 2.7), "lng": (2.7, 2.5, 2.9)}
INTENSITY = {"bus_BEV_electricity": (120, 80, 180), "bus_DIESEL_diesel": (35, 25, 45)}
INTENSITY |= {"bus_LNG_lng": (30, 22, 40), "taxi_PETROL_petrol": (8, 6, 10)}
INTENSITY |= {"taxi_BEV_electricity": (16, 12, 20)}
TAXI_KM = (120_000, 60_000, 180_000)
BUS_KM = (60_000, 40_000, 80_000)
COLUMNS = (
    "vehicles, vehicle_km, electricity_kwh, diesel_l, lng_kg, co2_ttw_kg, co2_kg, co2_kg_low, "
    "co2_kg_high, conventional_co2_kg, co2_avoided_kg, co2_avoided_kg_low, co2_avoided_kg_high"
)


def set_values(wh: Warehouse, table: str, values: dict) -> None:
    for code, (central, low, high) in values.items():
        wh.con.execute(
            f"update reference.{table} set value_central = ?, value_low = ?, value_high = ? "
            "where code = ?",
            [central, low, high, code],
        )


def carbon_warehouse() -> Warehouse:
    """3 buses on 2 routes in March 2025 (21 weekdays, 5 Saturdays, 5 Sundays)."""
    wh = Warehouse()
    set_values(wh, "emission_factors", FACTORS)
    set_values(wh, "energy_intensity", INTENSITY)
    set_values(wh, "fleet_activity", {"taxi": TAXI_KM, "bus": BUS_KM})
    started = {"in_service_on": "2025-03-01"}
    wh.ledger(
        "bus_fleet",
        "2025-03-31",
        [
            {**started, "route": "101", "powertrain_label": "纯电动"},
            {**started, "route": " 101", "powertrain_label": "柴油"},
            {**started, "route": "102", "powertrain_label": "液化天然气"},
        ],
    )
    # route 101: 21 × 100 + 5 × 80 = 2500 km, half BEV, half diesel; route 102: 21 × 50 = 1050
    # km, LNG; route 103 has no bus and is left out.
    wh.feed("city", "2025-02-15", {"101": {"weekday": 100, "saturday": 80}, "102": {"weekday": 50}})
    wh.feed("city", "2025-02-15", {"101": {"weekday": 9999}}, status="rejected")
    wh.feed("extra", "2025-02-20", {"103": {"weekday": 1000}})
    wh.feed("city", "2025-04-10", {"101": {"weekday": 7777}})  # published after the month
    return wh.build()


@pytest.fixture(scope="module")
def carbon():
    return carbon_warehouse()


def powertrain_row(wh: Warehouse, fleet: str, powertrain: str) -> tuple:
    return wh.rows(
        f"select {COLUMNS} from marts.fct_fleet_energy_co2_monthly "
        "where fleet = ? and period = '2025-03' and powertrain = ?",
        fleet,
        powertrain,
    )[0]


@pytest.mark.parametrize(
    ("powertrain", "expected"),
    [
        # 1250 km × 1.2 kWh = 1500 kWh × 0.5 = 750 kg; low 1250 × 0.8 × 0.4, high 1250 × 1.8 × 0.6;
        # conventional 1250 × 0.35 L × 2.6 = 1137.5 (781.25 .. 1518.75); avoided 387.5,
        # bounds min/max of (781.25 − 400, 387.5, 1518.75 − 1350)
        ("BEV", (1, 1250, 1500, 0, 0, 0, 750, 400, 1350, 1137.5, 387.5, 168.75, 387.5)),
        ("DIESEL", (1, 1250, 0, 437.5, 0, 1137.5, 1137.5, 781.25, 1518.75, 1137.5, 0, 0, 0)),
        # 1050 km × 0.30 kg = 315 kg × 2.7 = 850.5; low 1050 × 0.22 × 2.5, high 1050 × 0.4 × 2.9;
        # conventional 1050 × 0.35 × 2.6 = 955.5 (656.25 .. 1275.75)
        ("LNG", (1, 1050, 0, 0, 315, 850.5, 850.5, 577.5, 1218, 955.5, 105, 57.75, 105)),
    ],
)
def test_bus_energy_and_co2_by_hand(carbon, powertrain, expected):
    assert powertrain_row(carbon, "bus", powertrain) == pytest.approx(expected, rel=1e-12)


def test_bus_month_totals(carbon):
    total = carbon.rows(
        "select sum(vehicle_km), sum(co2_kg), sum(co2_ttw_kg) "
        "from marts.fct_fleet_energy_co2_monthly where fleet = 'bus'"
    )
    assert total == [pytest.approx((3550, 750 + 1137.5 + 850.5, 1137.5 + 850.5), rel=1e-12)]


def test_urban_taxis_run_km_a_year_over_twelve():
    wh = Warehouse()
    set_values(wh, "emission_factors", {"electricity": (0.5, 0.4, 0.6), "petrol": (2.3, 2.1, 2.5)})
    set_values(wh, "energy_intensity", INTENSITY)
    set_values(wh, "fleet_activity", {"taxi": TAXI_KM})
    started = {"in_service_on": "2025-03-01"}
    wh.ledger(
        "taxi_fleet",
        "2025-03-31",
        [
            {**started, "powertrain_label": "汽油"},
            {**started, "powertrain_label": "汽油"},
            {**started, "powertrain_label": "纯电动"},
            {**started, "powertrain_label": "汽油", "taxi_kind": "网约车"},  # not a taxi here
            {**started, "powertrain_label": "汽油", "operating_area": "沙溪镇"},  # not urban
        ],
    )
    wh.build()
    petrol = wh.rows(
        "select vehicles, vehicle_km, petrol_l, co2_kg, co2_kg_low, co2_kg_high "
        "from marts.fct_fleet_energy_co2_monthly where fleet = 'taxi' and powertrain = 'PETROL'"
    )
    # 2 × 120000 / 12 = 20000 km × 0.08 L = 1600 L × 2.3 = 3680 kg; low 2 × 5000 × 0.06 × 2.1
    assert petrol == [pytest.approx((2, 20_000, 1600, 3680, 1260, 7500), rel=1e-12)]
    bev = wh.rows(
        "select electricity_kwh, co2_kg, co2_avoided_kg from marts.fct_fleet_energy_co2_monthly "
        "where fleet = 'taxi' and powertrain = 'BEV'"
    )
    # 10000 km × 0.16 kWh = 1600 kWh × 0.5 = 800 kg; a petrol taxi would emit 1840 kg
    assert bev == [pytest.approx((1600, 800, 1040), rel=1e-12)]


def test_powertrain_without_intensity_counts_as_conventional():
    wh = Warehouse()
    hydrogen_bus = {"in_service_on": "2025-03-01", "powertrain_label": "氢燃料"}
    wh.ledger("bus_fleet", "2025-03-31", [hydrogen_bus])
    wh.feed("city", "2025-02-15", {"101": {"weekday": 100}})
    wh.build()
    row = wh.rows(
        "select powertrain, intensity_powertrain, co2_avoided_kg "
        "from marts.fct_fleet_energy_co2_monthly"
    )
    assert row == [("FCEV", "DIESEL", 0)]


def test_fleet_co2_per_indicator_period(carbon):
    rows = carbon.rows(
        "select indicator_id, period, vehicles, vehicle_km, diesel_l, co2_t, co2_ttw_t, "
        "co2_avoided_t from metrics.fleet_co2_monthly"
    )
    # the three bus rows above, in tonnes: 0.75 + 1.1375 + 0.8505; avoided 0.3875 + 0 + 0.105
    assert rows == [
        ("bus_clean_share", "2025-03", 3, pytest.approx(3550), pytest.approx(437.5))
        + tuple(pytest.approx(v, rel=1e-12) for v in (2.738, 1.988, 0.4925))
    ]


def test_refined_oil_a_year(carbon):
    rows = carbon.rows(
        "select fleet, period, months, diesel_l, petrol_l, refined_oil_l "
        "from metrics.public_fleet_refined_oil_yearly"
    )
    assert rows == [("bus", "2025", 1, 437.5, 0.0, 437.5)]


def test_co2_still_on_the_table_for_each_fleet_target(carbon):
    rows = carbon.rows(
        "select indicator_id, units_to_close, saving_per_vehicle_t, saving_per_vehicle_t_low, "
        "saving_per_vehicle_t_high, co2_on_table_t, co2_on_table_t_low, co2_on_table_t_high "
        "from metrics.target_gap_co2 order by indicator_id"
    )
    # 2 of 3 buses qualify: ceil(0.92 × 3 − 2) = 1 bus to replace. One diesel bus replaced by a
    # BEV saves 60000 km × (0.35 × 2.6 − 1.2 × 0.5) = 18.6 t a year; low-value scenario
    # 40000 × (0.25 × 2.5 − 0.8 × 0.4) = 12.2 t, high-value 80000 × (0.45 × 2.7 − 1.8 × 0.6)
    # = 10.8 t.
    bus = (1, 18.6, 10.8, 18.6, 18.6, 10.8, 18.6)
    # no taxi data: no units_to_close, so nothing on the table yet
    assert rows[0][0] == "bus_clean_share"
    assert rows[0][1:] == pytest.approx(bus, rel=1e-12)
    assert rows[1][:2] == ("urban_taxi_nev_share", None)
    assert rows[1][5:] == (None, None, None)


CARBON_MODELS = {
    "intermediate.int_fleets__monthly_km",
    "marts.fct_fleet_energy_co2_monthly",
    "metrics.fleet_co2_monthly",
    "metrics.public_fleet_refined_oil_yearly",
    "metrics.target_gap_co2",
}


def every_source_warehouse() -> Warehouse:
    """A little of every source, so that every existing metrics table has rows to hash."""
    wh = Warehouse()
    started = {"in_service_on": "2024-11-01"}
    wh.ledger(
        "bus_fleet",
        "2025-01-31",
        [
            {**started, "route": "101"},
            {**started, "route": "101", "powertrain_label": "柴油"},
            {**started, "route": "102", "powertrain_label": "LNG", "retired_on": "2025-01-10"},
        ],
    )
    wh.ledger(
        "taxi_fleet",
        "2025-01-31",
        [
            {**started},
            {**started, "powertrain_label": "汽油"},
            {**started, "exited_on": "2024-12-05"},
        ],
    )
    wh.ledger(
        "registrations",
        "2025-01-31",
        [
            {"usage": "D", "fuel": "C", "first_registered_on": "2024-05-01"},
            {"usage": "D", "fuel": "A", "first_registered_on": "2025-01-02"},
            {"owner": "太仓市公安局", "plate_type": "52", "first_registered_on": "2024-07-01"},
        ],
    )
    wh.survey("2024", [{"main_mode": 4}, {"main_mode": 1, "trip_weight": 2.0}])
    wh.feed("city", "2024-12-01", {"101": {"weekday": 120, "sunday": 60}, "102": {"weekday": 40}})
    return wh


def test_existing_metrics_tables_keep_their_content_hash():
    from assets.publish.history import metric_hashes
    from assets.warehouse.assets import build_model
    from tests.sql_fixtures import models

    before = every_source_warehouse()
    for model in models():
        if model.qualified_name not in CARBON_MODELS:
            build_model(before.con, model)
    after = every_source_warehouse().build()
    old, new = metric_hashes(before.con), metric_hashes(after.con)
    assert before.rows("select count(*) from metrics.indicator_values")[0][0] > 0
    # only new tables are added; every table that existed hashes exactly as before
    assert set(new) - set(old) == {
        name.split(".")[1] for name in CARBON_MODELS if name.startswith("metrics.")
    }
    assert {name: new[name] for name in old} == old
