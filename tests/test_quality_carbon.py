"""The carbon suites warn when a central value leaves its bounds (and pass when it does not)."""

import duckdb
import pytest

from assets.quality.suite_builder import load_suite_specs
from assets.quality.validate import validate_suite

COLUMNS = (
    "indicator_id varchar, fleet varchar, period varchar, period_end date, vehicles bigint, "
    "vehicle_km double, electricity_kwh double, diesel_l double, petrol_l double, lng_kg double, "
    "cng_m3 double, co2_ttw_t double, co2_t double, co2_t_low double, co2_t_high double, "
    "co2_avoided_t double, co2_avoided_t_low double, co2_avoided_t_high double"
)


def outcome(co2_t: float):
    con = duckdb.connect()
    con.execute("create schema metrics")
    con.execute(f"create table metrics.fleet_co2_monthly ({COLUMNS})")
    con.execute(
        "insert into metrics.fleet_co2_monthly values ('bus_clean_share', 'bus', '2025-03', "
        "date '2025-03-31', 3, 3550, 1500, 437.5, 0, 315, 0, 1.988, ?, 1.7585, 4.0865, "
        "0.4925, 0.22650, 0.4925)",
        [co2_t],
    )
    spec = {s.name: s for s in load_suite_specs()}["metrics.fleet_co2_monthly"]
    return validate_suite(con, spec)


@pytest.mark.slow  # Great Expectations takes seconds to start; the suites run in every pipeline
@pytest.mark.parametrize(
    ("co2_t", "failed"), [(2.738, []), (5.0, ["the central CO2 lies below its high bound"])]
)
def test_central_co2_within_bounds(co2_t, failed):
    result = outcome(co2_t)
    assert [e.why for e in result.failed()] == failed
    assert {e.severity for e in result.failed()} <= {"WARN"}  # estimates never block publication
