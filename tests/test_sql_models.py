"""Staging, intermediate and marts models on tiny hand-made warehouses (literal expectations)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.sql_fixtures import Warehouse, day

FOLDER = "registrations/registrations_20250601"
STAGING = {
    "registrations": "staging.stg_registrations__vehicles",
    "bus_fleet": "staging.stg_bus_fleet__buses",
    "taxi_fleet": "staging.stg_taxi_fleet__taxis",
}


@pytest.fixture
def wh():
    warehouse = Warehouse()
    yield warehouse
    warehouse.con.close()


def staged_files(wh: Warehouse, source: str) -> list[tuple]:
    return wh.rows(
        f"select file_date, count(*) from {STAGING[source]} group by file_date order by file_date"
    )


@pytest.mark.parametrize("source", ["registrations", "bus_fleet", "taxi_fleet"])
def test_newest_accepted_file_is_used_over_a_newer_rejected_one(wh, source):
    wh.ledger(source, "2025-05-01", [{}])
    wh.ledger(source, "2025-06-01", [{}, {}])
    wh.ledger(source, "2025-07-01", [{}, {}, {}], status="rejected")
    wh.build()
    # the two records of the 2025-06-01 file, none of the older or the rejected file
    assert staged_files(wh, source) == [(dt.date(2025, 6, 1), 2)]


def test_file_date_tie_goes_to_the_larger_file_name(wh):
    wh.ledger("registrations", "2025-06-01", [{}])
    second = wh.ledger("registrations", "2025-06-01", [{}, {}], file_name=f"{FOLDER}_v2.csv")
    wh.build()
    sql = "select distinct source_file from staging.stg_registrations__vehicles"
    assert wh.rows(sql) == [(second,)]


def test_a_file_rejected_in_its_latest_run_is_not_used(wh):
    wh.ledger("bus_fleet", "2025-05-01", [{}])
    newer = wh.ledger("bus_fleet", "2025-06-01", [{}, {}])
    wh.add_file("bus_fleet", newer, day("2025-06-01"), "rejected", "run-2", dt.datetime(2026, 2, 1))
    wh.build()
    assert staged_files(wh, "bus_fleet") == [(dt.date(2025, 5, 1), 1)]


def test_survey_staging_keeps_every_accepted_wave(wh):
    wh.survey("2019", [{}, {}])
    wh.survey("2023", [{}], status="rejected")
    wh.survey("2024", [{}, {}, {}])
    wh.build()
    assert wh.rows(
        "select wave_id, count(*) from staging.stg_surveys__trips group by wave_id order by wave_id"
    ) == [("2019", 2), ("2024", 3)]


@pytest.mark.parametrize(
    ("plate_type", "fuel", "is_electric"),
    [
        ("02", "C", True),  # 电
        ("02", "AC", True),  # petrol + electric: plug-in hybrid
        ("02", "O", False),  # 混合动力 alone: non-plug-in hybrid
        ("02", "A", False),
        ("01", "BE", False),
        ("51", "B", True),  # 大型新能源汽车 plate
        ("52", "A", True),  # 小型新能源汽车 plate
    ],
)
def test_electric_is_a_new_energy_plate_or_an_electric_fuel_letter(
    wh, plate_type, fuel, is_electric
):
    wh.ledger("registrations", "2025-06-15", [{"plate_type": plate_type, "fuel": fuel}])
    wh.build()
    assert wh.rows("select is_electric from marts.dim_vehicle") == [(is_electric,)]


@pytest.mark.parametrize(
    ("usage", "owner", "category", "rule"),
    [
        ("D", "太仓市公安局", "taxi", "usage_d"),  # usage D beats an official owner unit
        ("D", "个人", "taxi", "usage_d"),
        ("A", "太仓市公安局", "official", "owner_unit"),
        ("A", "中国邮政集团有限公司江苏省太仓市分公司", "postal", "owner_unit"),
        ("A", "太仓市浏河镇人民政府", "official", "owner_pattern"),
        ("A", "太仓市璜泾镇环卫所", "sanitation", "owner_pattern"),
        ("A", "太仓市邮政环卫服务中心", "postal", "owner_pattern"),  # code 1 before code 2
        ("A", "太仓市某某科技有限公司", "other", "unmatched_unit"),
        ("A", "个人", "private", "private_owner"),
    ],
)
def test_vehicle_category(wh, usage, owner, category, rule):
    wh.ledger("registrations", "2025-06-15", [{"usage": usage, "owner": owner}])
    wh.build()
    assert wh.rows("select vehicle_category, category_rule from marts.dim_vehicle") == [
        (category, rule)
    ]


def test_owner_patterns_apply_in_numeric_code_order(wh):
    # as text '10' < '2'; as numbers pattern 2 (环卫 → sanitation) comes first
    wh.con.execute(
        "insert into reference.owner_patterns values ('10', '环卫', 'test', '环卫', 'official')"
    )
    wh.ledger("registrations", "2025-06-15", [{"owner": "太仓市璜泾镇环卫所"}])
    wh.build()
    assert wh.rows("select vehicle_category from marts.dim_vehicle") == [("sanitation",)]


@pytest.mark.parametrize(
    ("in_service_on", "retired_on", "period", "counted"),
    [
        ("2025-05-31", None, "2025-05", 1),  # put in service on the evaluation day
        ("2025-05-01", "2025-05-31", "2025-05", 0),  # retired on the evaluation day
        ("2025-05-01", "2025-06-01", "2025-05", 1),  # retired the day after
        ("2025-06-15", None, "2025-06", 1),  # in service on as_of
        ("2025-01-01", "2025-06-15", "2025-06", 0),  # retired on as_of
    ],
)
def test_bus_in_service_on_the_evaluation_day(wh, in_service_on, retired_on, period, counted):
    anchor = {"powertrain_label": "柴油", "in_service_on": day("2025-01-01")}
    bus = {"in_service_on": day(in_service_on), "retired_on": retired_on and day(retired_on)}
    wh.ledger("bus_fleet", "2025-06-15", [anchor, bus])
    wh.build()
    assert wh.rows(
        "select buses_in_service from marts.fct_bus_fleet_monthly "
        "where period = ? and powertrain = 'BEV'",
        period,
    ) == [(counted,)]


@pytest.mark.parametrize("status", ["运营", "备用", "停运"])
def test_reserve_and_stopped_buses_stay_in_the_fleet(wh, status):
    wh.ledger("bus_fleet", "2025-06-15", [{"status": status}])
    wh.build()
    assert wh.ratio("bus_clean_share", "2025-06") == (1, 1, 1)


def test_months_run_from_first_bus_in_service_to_as_of(wh):
    never_served = {"in_service_on": day("2025-01-05"), "retired_on": day("2025-01-05")}
    wh.ledger("bus_fleet", "2025-06-15", [never_served, {"in_service_on": day("2025-03-10")}])
    wh.build()
    assert wh.rows(
        "select period, period_end from intermediate.int_fleets__month_spine "
        "where fleet = 'bus' order by period"
    ) == [
        ("2025-03", dt.date(2025, 3, 31)),
        ("2025-04", dt.date(2025, 4, 30)),
        ("2025-05", dt.date(2025, 5, 31)),
        ("2025-06", dt.date(2025, 6, 15)),  # the month containing as_of ends at as_of
    ]


def test_buses_and_taxis_in_service_are_counted_once_per_month_and_group(wh):
    may = {"in_service_on": day("2025-05-01")}
    wh.ledger(
        "bus_fleet",
        "2025-06-15",
        [
            {**may, "route": " 101 "},  # trimmed: route 101
            {**may, "route": "101", "powertrain_label": "柴油"},
            {**may, "route": " ", "retired_on": day("2025-06-15")},  # no route; out on as_of
        ],
    )
    wh.ledger(
        "taxi_fleet",
        "2025-06-15",
        [may, {**may, "exited_on": day("2025-05-31")}, {**may, "operating_area": "沙溪镇"}],
    )
    wh.build()
    assert wh.rows(
        "select fleet, period, route, taxi_kind, operating_area, powertrain, energy_class, "
        "vehicles_in_service from intermediate.int_fleets__in_service_monthly "
        "order by all"
    ) == [
        ("bus", "2025-05", "101", None, None, "BEV", "new_energy", 1),
        ("bus", "2025-05", "101", None, None, "DIESEL", "conventional", 1),
        ("bus", "2025-05", None, None, None, "BEV", "new_energy", 1),
        ("bus", "2025-06", "101", None, None, "BEV", "new_energy", 1),
        ("bus", "2025-06", "101", None, None, "DIESEL", "conventional", 1),
        ("taxi", "2025-05", None, "巡游出租车", "市区", "BEV", "new_energy", 1),  # exited on d
        ("taxi", "2025-05", None, "巡游出租车", "沙溪镇", "BEV", "new_energy", 1),
        ("taxi", "2025-06", None, "巡游出租车", "市区", "BEV", "new_energy", 1),
        ("taxi", "2025-06", None, "巡游出租车", "沙溪镇", "BEV", "new_energy", 1),
    ]


@pytest.mark.parametrize(
    ("taxi_kind", "operating_area", "counted"),
    [("巡游出租车", "市区", 1), ("巡游出租车", "沙溪镇", 0), ("网约车", "市区", 0)],
)
def test_only_urban_street_hail_taxis_are_in_the_taxi_fleet(wh, taxi_kind, operating_area, counted):
    anchor = {"powertrain_label": "汽油"}
    taxi = {"taxi_kind": taxi_kind, "operating_area": operating_area}
    wh.ledger("taxi_fleet", "2025-06-15", [anchor, taxi])
    wh.build()
    # numerator, denominator, sample size: the anchor petrol taxi plus the electric one if counted
    assert wh.ratio("urban_taxi_nev_share", "2025-06") == (counted, 1 + counted, 1 + counted)


def test_the_taxi_fleet_mart_marks_only_the_urban_street_hail_group_in_scope(wh):
    kinds_and_areas = [
        ("巡游出租车", "市区"),
        ("巡游出租车", "沙溪镇"),  # a town taxi
        ("网约车", "市区"),  # ride-hailing
        (None, "市区"),  # kind missing: still counted in its own group, not in scope
    ]
    taxis = [{"taxi_kind": kind, "operating_area": area} for kind, area in kinds_and_areas]
    wh.ledger("taxi_fleet", "2025-06-15", taxis)
    wh.build()
    assert wh.rows(
        "select taxi_kind, operating_area, taxis_in_service, is_urban_taxi_scope "
        "from marts.fct_taxi_fleet_monthly where period = '2025-06' order by all"
    ) == [
        ("巡游出租车", "市区", 1, True),
        ("巡游出租车", "沙溪镇", 1, False),
        ("网约车", "市区", 1, False),
        (None, "市区", 1, False),
    ]
    # all four are electric; only the first is in the indicator and in the taxi-km
    assert wh.ratio("urban_taxi_nev_share", "2025-06") == (1, 1, 1)
    assert wh.rows(
        "select vehicles from intermediate.int_fleets__monthly_km "
        "where fleet = 'taxi' and period = '2025-06'"
    ) == [(1,)]


def test_clean_energy_taxis_are_not_new_energy(wh):
    labels = ["纯电动", "汽油", "油电混合", "CNG"]
    wh.ledger("taxi_fleet", "2025-06-15", [{"powertrain_label": label} for label in labels])
    wh.build()
    # only 纯电动 counts: 1 of 4
    assert wh.ratio("urban_taxi_nev_share", "2025-06") == (1, 4, 4)


@pytest.fixture
def new_vehicles(wh):
    sanitation, postal, official = "太仓市环境卫生管理处", "太仓市某邮政所", "太仓市公安局"
    columns = ("usage", "owner", "plate_type", "fuel", "first_registered_on", "status")
    rows = [
        dict(zip(columns, vehicle, strict=True))
        for vehicle in [
            ("A", official, "52", "A", day("2024-05-01"), "A"),
            ("A", official, "02", "A", day("2024-08-01"), "A"),
            ("A", sanitation, "02", "C", day("2025-02-01"), "E"),  # deregistered 2025-04-01
            ("A", postal, "02", "O", day("2025-03-01"), "A"),
            ("D", "个人", "02", "AC", day("2025-05-20"), "A"),
            ("A", "个人", "52", "A", day("2025-01-10"), "A"),
            ("A", official, "02", "C", day("2025-07-01"), "A"),  # after as_of
        ]
    ]
    rows[2]["status_changed_on"] = day("2025-04-01")
    wh.ledger("registrations", "2025-06-15", rows)
    return wh.build()


def test_new_public_vehicles_count_by_first_registration_year(new_vehicles):
    # 2024: official 52-plate (electric) + official petrol = 1 of 2, a full year
    # 2025 to as_of: sanitation C (deregistered later) + taxi AC electric, postal O not = 2 of 3;
    # the private 52 is out of scope, the 2025-07-01 vehicle is after as_of
    assert new_vehicles.rows(
        "select period, period_end, numerator, denominator from metrics.indicator_ratios "
        "where indicator_id = 'new_public_vehicle_ev_share' order by period"
    ) == [("2024", dt.date(2024, 12, 31), 1, 2), ("2025", dt.date(2025, 6, 15), 2, 3)]


def test_new_public_vehicle_split_by_category(new_vehicles):
    assert new_vehicles.rows(
        "select period, vehicle_category, numerator, denominator "
        "from metrics.new_public_vehicle_ev_share_by_category order by period, vehicle_category"
    ) == [
        ("2024", "official", 1.0, 2.0),
        ("2025", "postal", 0.0, 1.0),
        ("2025", "sanitation", 1.0, 1.0),
        ("2025", "taxi", 1.0, 1.0),
    ]


def test_deregistered_vehicle_is_not_registered_on_as_of(new_vehicles):
    assert new_vehicles.rows(
        "select vehicle_category, is_registered_on_as_of from marts.dim_vehicle "
        "where status_codes = 'E'"
    ) == [("sanitation", False)]


def test_survey_mode_share_keeps_weighted_and_unweighted_trips(wh):
    weights = [(4, 3.0), (1, 1.5), (1, 0.5)]
    wh.survey("2024", [{"main_mode": mode, "trip_weight": weight} for mode, weight in weights])
    wh.build()
    # walk: 2 trips weighing 2.0 of 5.0 = 0.4; bus: 1 trip weighing 3.0 = 0.6
    assert wh.rows(
        "select main_mode_code, trips, weighted_trips, weighted_share, unweighted_share "
        "from marts.fct_survey_mode_share order by main_mode_code"
    ) == [("1", 2, 2, 0.4, 2 / 3), ("4", 1, 3, 0.6, 1 / 3)]
