"""metrics.indicator_values and metrics.target_gap on tiny warehouses, checked by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.sql_fixtures import Warehouse, day

AS_OF = "2025-06-15"
OFFICIAL = "太仓市公安局"


@pytest.fixture
def wh():
    warehouse = Warehouse()
    yield warehouse
    warehouse.con.close()


def buses(qualifying: int, total: int) -> list[dict]:
    return [{"powertrain_label": "纯电动" if i < qualifying else "柴油"} for i in range(total)]


def taxis(qualifying: int, total: int) -> list[dict]:
    return [{"powertrain_label": "纯电动" if i < qualifying else "汽油"} for i in range(total)]


def new_official_cars(qualifying: int, total: int, registered_on: str = "2025-03-01") -> list:
    first = day(registered_on)
    return [
        {"owner": OFFICIAL, "fuel": "C" if i < qualifying else "A", "first_registered_on": first}
        for i in range(total)
    ]


def walk_and_transit(wave: str, transit_weight: float, walk_weight: float) -> tuple:
    return wave, [
        {"main_mode": 4, "trip_weight": transit_weight},
        {"main_mode": 1, "trip_weight": walk_weight},
    ]


@pytest.mark.parametrize(
    ("indicator_id", "source", "rows", "status", "units_to_close"),
    [
        # 0.92 × 350 = 322 exactly: 322 of 350 is met, nothing to close
        ("bus_clean_share", "bus_fleet", buses(322, 350), "met", 0),
        # 322 − 321 = 1 bus to replace; a single month gives no trend
        ("bus_clean_share", "bus_fleet", buses(321, 350), "off_track", 1),
        # 0.50 × 4 = 2: met; 0.50 × 3 − 1 = 0.5, rounded up to 1 taxi
        ("urban_taxi_nev_share", "taxi_fleet", taxis(2, 4), "met", 0),
        ("urban_taxi_nev_share", "taxi_fleet", taxis(1, 3), "off_track", 1),
        # 0.80 × 5 = 4: met; 4 − 3 = 1 more addition should have been electric
        ("new_public_vehicle_ev_share", "registrations", new_official_cars(4, 5), "met", 0),
        ("new_public_vehicle_ev_share", "registrations", new_official_cars(3, 5), "off_track", 1),
    ],
)
def test_units_to_close_at_the_exact_boundary(
    wh, indicator_id, source, rows, status, units_to_close
):
    wh.ledger(source, AS_OF, rows)
    wh.build()
    assert wh.gap(indicator_id, "status, units_to_close") == (status, units_to_close)


def test_comparison_is_exact_where_floats_are_not(wh):
    # as floats 0.07 × 100 = 7.000000000000001 > 7; in decimals 7 of 100 reaches 0.07 exactly
    wh.set_target("bus_clean_share", target="0.07")
    wh.ledger("bus_fleet", AS_OF, buses(7, 100))
    wh.build()
    assert wh.gap("bus_clean_share", "status, units_to_close, gap_pp") == ("met", 0, 0.0)


@pytest.fixture
def weighted_survey(wh):
    # walk 1.5, bus 3.0, e-bike 2.0, car driver 3.5: Σ = 10.0 over 4 trips
    wh.survey(
        "2024",
        [
            {"main_mode": 1, "trip_weight": 1.5},
            {"main_mode": 4, "trip_weight": 3.0},
            {"main_mode": 3, "trip_weight": 2.0},
            {"main_mode": 8, "trip_weight": 3.5},
        ],
    )
    return wh.build()


@pytest.mark.parametrize(
    ("indicator_id", "numerator", "denominator", "value", "sample_size"),
    [
        ("transit_mode_share", 3.0, 10.0, 0.3, 4),  # bus 3.0 / 10.0 (unweighted it is 1/4)
        ("transit_motorised_share", 3.0, 6.5, 3.0 / 6.5, 2),  # bus 3.0 / (bus 3.0 + car 3.5)
        ("green_travel_share", 6.5, 10.0, 0.65, 4),  # walk 1.5 + bus 3.0 + e-bike 2.0
        ("green_travel_share_excl_ebike", 4.5, 10.0, 0.45, 4),  # walk 1.5 + bus 3.0
    ],
)
def test_survey_shares_are_weighted(
    weighted_survey, indicator_id, numerator, denominator, value, sample_size
):
    assert weighted_survey.rows(
        "select period, period_end, numerator, denominator, value, sample_size, ci_low "
        "from metrics.indicator_values where indicator_id = ?",
        indicator_id,
    ) == [("2024", dt.date(2024, 12, 31), numerator, denominator, value, sample_size, None)]


@pytest.fixture
def transit_waves(wh):
    # 2019: 2 of 100 = 0.02; 2023: 4 of 100 = 0.04; as_of = 2023-12-31 (latest wave)
    for wave, trips in [walk_and_transit("2019", 2, 98), walk_and_transit("2023", 4, 96)]:
        wh.survey(wave, trips)
    return wh


# The line through (2019-12-31, 0.02) and (2023-12-31, 0.04) rises 0.02 in 1461 days;
# 2025-12-31 is 731 days after 2023-12-31: 0.04 + 0.02 × 731 / 1461 = 0.0500068446...
PROJECTED_2025 = 0.04 + 0.02 * 731 / 1461


@pytest.mark.parametrize(
    ("target", "deadline", "status", "value_at_deadline", "projected"),
    [
        # deadline ahead (as_of 2023-12-31 <= deadline)
        ("0.04", "2025-12-31", "met", None, PROJECTED_2025),  # 4 >= 0.04 × 100
        ("0.05", "2025-12-31", "on_track", None, PROJECTED_2025),  # 0.050007 >= 0.05
        ("0.06", "2025-12-31", "off_track", None, PROJECTED_2025),
        ("0.05", "2023-12-31", "off_track", None, 0.04),  # as_of = deadline is not past it
        # deadline passed: judged on the latest wave ending on or before it (2019: 0.02)
        ("0.02", "2023-06-30", "met", 0.02, None),
        ("0.03", "2023-06-30", "missed", 0.02, None),
    ],
)
def test_status_of_a_survey_target(
    transit_waves, target, deadline, status, value_at_deadline, projected
):
    transit_waves.set_target("transit_mode_share", target=target, deadline=day(deadline))
    transit_waves.build()
    assert transit_waves.gap("transit_mode_share", "status, value_at_deadline") == (
        status,
        value_at_deadline,
    )
    (trend,) = transit_waves.gap("transit_mode_share", "projected_at_deadline")
    assert trend == pytest.approx(projected)
    # latest wave 2023 (as_of its 31 December); surveys have no units to close
    assert transit_waves.gap(
        "transit_mode_share", "latest_period, latest_value, as_of, units_to_close"
    ) == ("2023", 0.04, dt.date(2023, 12, 31), None)


@pytest.mark.parametrize(
    ("green_2019", "green_2023", "projected"),
    [(50, 90, 1.0), (50, 10, 0.0)],  # 0.9 + 0.4 × 731/1461 = 1.2 → 1; 0.1 − 0.2 → 0
)
def test_projection_is_clamped_to_0_1(wh, green_2019, green_2023, projected):
    for wave, green in [("2019", green_2019), ("2023", green_2023)]:
        wh.survey(
            wave,
            [{"main_mode": 1, "trip_weight": green}, {"main_mode": 8, "trip_weight": 100 - green}],
        )
    assert wh.build().gap("green_travel_share", "projected_at_deadline") == (projected,)


@pytest.mark.parametrize("indicator_id", ["urban_taxi_nev_share", "cycle_lane_share"])
def test_no_data_when_the_indicator_has_no_value(transit_waves, indicator_id):
    # no taxi register in this warehouse; cycle_lane_share is a target no model computes
    transit_waves.set_target(indicator_id)
    transit_waves.build()
    columns = "status, latest_value, units_to_close, as_of"
    assert transit_waves.gap(indicator_id, columns) == ("no_data", None, None, None)


def test_a_new_target_is_a_config_change(transit_waves):
    transit_waves.set_target("transit_motorised_share", target="0.5", kind="survey")
    # transit is the only motorised mode here: 2023 = 4 / 4 = 1.0 >= 0.5
    assert transit_waves.build().gap("transit_motorised_share", "status") == ("met",)


def test_fleet_projection_uses_the_last_12_months(wh):
    # a diesel bus from 2024-01, an electric one from 2024-07: 0 for 6 months, then 1/2;
    # the last 12 values (2024-07 .. 2025-06) are all 0.5, so the line is flat at 0.5
    wh.ledger(
        "bus_fleet", AS_OF, [{"powertrain_label": "柴油"}, {"in_service_on": day("2024-07-01")}]
    )
    (trend,) = wh.build().gap("bus_clean_share", "projected_at_deadline")
    assert trend == pytest.approx(0.5)
    # 0.92 × 2 − 1 = 0.84, rounded up to 1 bus
    columns = "status, latest_period, units_to_close"
    assert wh.gap("bus_clean_share", columns) == ("off_track", "2025-06", 1)


def test_registration_projection_uses_the_last_3_years(wh):
    # 2021: 0 of 1; 2022, 2023 and 2024 (to as_of): 1 of 2 each → flat at 0.5
    cars = new_official_cars(0, 1, "2021-03-01")
    for year in ("2022", "2023", "2024"):
        cars += new_official_cars(1, 2, f"{year}-03-01")
    wh.ledger("registrations", "2024-06-30", cars)
    (trend,) = wh.build().gap("new_public_vehicle_ev_share", "projected_at_deadline")
    assert trend == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("deadline", "status", "value_at_deadline"),
    [
        ("2025-02-15", "missed", 0.0),  # month 2025-02, at 2025-02-28: 0 of 1
        ("2025-03-15", "met", 0.5),  # month 2025-03, at 2025-03-31: 1 of 2
    ],
)
def test_passed_fleet_deadline_is_judged_on_its_month(wh, deadline, status, value_at_deadline):
    wh.set_target("bus_clean_share", target="0.5", deadline=day(deadline))
    wh.ledger(
        "bus_fleet",
        AS_OF,
        [
            {"powertrain_label": "柴油", "in_service_on": day("2025-01-01")},
            {"in_service_on": day("2025-03-01")},
        ],
    )
    columns = "status, value_at_deadline, projected_at_deadline, latest_period, latest_value"
    assert wh.build().gap("bus_clean_share", columns) == (
        status,
        value_at_deadline,
        None,
        "2025-06",
        0.5,
    )


def test_registration_as_of_is_the_file_date_even_without_additions_that_year(wh):
    # nothing first registered in 2026 yet: the latest period is 2025, but as_of 2026-01-10 is
    # past the 2025-12-31 deadline, so 2025 (1 of 2 electric) is judged: 0.5 < 0.8, missed
    wh.ledger("registrations", "2026-01-10", new_official_cars(1, 2, "2025-06-01"))
    columns = "status, value_at_deadline, as_of"
    assert wh.build().gap("new_public_vehicle_ev_share", columns) == (
        "missed",
        0.5,
        dt.date(2026, 1, 10),
    )


def test_last_fleet_period_ends_at_as_of(wh):
    wh.ledger("taxi_fleet", AS_OF, taxis(1, 2))
    wh.build()
    assert wh.rows(
        "select period, period_end from metrics.indicator_values "
        "where indicator_id = 'urban_taxi_nev_share' order by period desc limit 1"
    ) == [("2025-06", dt.date(2025, 6, 15))]
