"""Bus-km by energy class (the models fct_gtfs_route_reconciliation and gtfs_indicator_values)
on a hand-made warehouse: which feed versions are in effect on each publication date, which
buses are in service then, and how each route's km is split."""

from __future__ import annotations

import pytest

from tests.sql_fixtures import Warehouse, day

MODELS = (
    "staging.stg_audit__accepted_files",
    "staging.stg_bus_fleet__buses",
    "intermediate.int_buses__energy_class",
    "marts.dim_gtfs_feed_version",
    "intermediate.int_gtfs__feed_versions_in_effect",
    "marts.fct_gtfs_route_reconciliation",
    "metrics.gtfs_indicator_values",
)
JAN, FEB, APR = day("2025-01-15"), day("2025-02-10"), day("2025-04-01")


@pytest.fixture(scope="module")
def warehouse():
    wh = Warehouse()
    wh.ledger(
        "bus_fleet",
        "2025-06-30",
        [
            {"route": "101", "powertrain_label": "纯电动"},
            {"route": " 101", "powertrain_label": "柴油"},  # trimmed: route 101
            {"route": "102", "powertrain_label": "LNG"},
            {"route": "102", "powertrain_label": "柴油", "in_service_on": day("2025-03-01")},
            {"route": "103", "powertrain_label": "纯电动", "retired_on": day("2025-02-01")},
            {"route": "104", "powertrain_label": "纯电动"},
            {"route": " ", "powertrain_label": "纯电动"},  # no route: in no route's split
        ],
    )
    wh.feed(
        "city", "2025-01-15", {"101": {"weekday": 100, "saturday": 999}, "102": {"weekday": 60}}
    )
    wh.feed("city", "2025-02-01", {"101": {"weekday": 9999}}, status="rejected")  # no period
    wh.feed("extra", "2025-02-10", {"103": {"weekday": 40}})
    # the city feed's new version replaces the old one from its date; extra's stays in effect
    wh.feed("city", "2025-04-01", {"101": {"weekday": 200}, "102": {"weekday": 60}})
    wh.feed("rail", "2025-04-01", {"101": {"weekday": 500}}, is_bus=False)  # not bus-km
    return wh.build_only(*MODELS)


def test_each_route_is_matched_and_split_per_publication_date(warehouse):
    no_km = (None, None, None)
    assert warehouse.rows(
        "select period_date, route, feed_names, match_status, gtfs_routes, weekday_bus_km, "
        "buses, new_energy_buses, clean_energy_buses, conventional_buses, new_energy_km, "
        "clean_energy_km, conventional_km "
        "from marts.fct_gtfs_route_reconciliation order by period_date, route"
    ) == [
        # 15 Jan: city's first version; route 103's bus is still in service, 103 not in GTFS
        (JAN, "101", "city", "matched", 1, 100.0, 2, 1, 0, 1, 50.0, 0.0, 50.0),
        (JAN, "102", "city", "matched", 1, 60.0, 1, 0, 1, 0, 0.0, 60.0, 0.0),
        (JAN, "103", None, "ledger_route_not_in_gtfs", 0, None, 1, 1, 0, 0, *no_km),
        (JAN, "104", None, "ledger_route_not_in_gtfs", 0, None, 1, 1, 0, 0, *no_km),
        # 10 Feb: extra adds 103, whose bus retired on 1 Feb
        (FEB, "101", "city", "matched", 1, 100.0, 2, 1, 0, 1, 50.0, 0.0, 50.0),
        (FEB, "102", "city", "matched", 1, 60.0, 1, 0, 1, 0, 0.0, 60.0, 0.0),
        (FEB, "103", "extra", "gtfs_route_without_bus", 1, 40.0, 0, 0, 0, 0, *no_km),
        (FEB, "104", None, "ledger_route_not_in_gtfs", 0, None, 1, 1, 0, 0, *no_km),
        # 1 Apr: city's new version; the diesel bus of 102 has been in service since 1 Mar
        (APR, "101", "city", "matched", 1, 200.0, 2, 1, 0, 1, 100.0, 0.0, 100.0),
        (APR, "102", "city", "matched", 1, 60.0, 2, 0, 1, 1, 0.0, 30.0, 30.0),
        (APR, "103", "extra", "gtfs_route_without_bus", 1, 40.0, 0, 0, 0, 0, *no_km),
        (APR, "104", None, "ledger_route_not_in_gtfs", 0, None, 1, 1, 0, 0, *no_km),
    ]


def test_a_version_is_in_effect_until_its_feed_publishes_the_next_accepted_one(warehouse):
    assert warehouse.rows(
        "select feed_version, in_effect_from, in_effect_until "
        "from intermediate.int_gtfs__feed_versions_in_effect order by feed_version"
    ) == [
        # city's rejected version of 1 Feb neither takes effect nor ends the first one
        ("sha-city-2025-01-15-accepted", JAN, APR),
        ("sha-city-2025-04-01-accepted", APR, None),
        ("sha-extra-2025-02-10-accepted", FEB, None),
        ("sha-rail-2025-04-01-accepted", APR, None),
    ]


def test_of_two_versions_published_the_same_day_the_greater_one_is_in_effect():
    wh = Warehouse()
    for version in ("b", "a"):
        wh.feed("city", "2025-01-15", {}, version=version)
    wh.feed("city", None, {}, version="undated")
    wh.build_only("marts.dim_gtfs_feed_version", "intermediate.int_gtfs__feed_versions_in_effect")
    assert wh.rows(
        "select feed_version, in_effect_from, in_effect_until "
        "from intermediate.int_gtfs__feed_versions_in_effect order by feed_version"
    ) == [("a", JAN, JAN), ("b", JAN, None)]


def test_the_share_counts_matched_routes_only(warehouse):
    # Jan and Feb: (50 new + 60 clean) / (100 + 60); Apr: (100 new + 30 clean) / (200 + 60)
    assert warehouse.rows("select * from metrics.gtfs_indicator_values order by period_end") == [
        ("bus_km_clean_share", "2025-01-15", JAN, 110 / 160, 110.0, 160.0, 2, None, None),
        ("bus_km_clean_share", "2025-02-10", FEB, 110 / 160, 110.0, 160.0, 2, None, None),
        ("bus_km_clean_share", "2025-04-01", APR, 0.5, 130.0, 260.0, 2, None, None),
    ]


def test_the_published_indicator_values_carry_the_share(warehouse):
    warehouse.build()
    assert warehouse.rows(
        "select period, value, sample_size from metrics.indicator_values "
        "where indicator_id = 'bus_km_clean_share' order by period"
    ) == [("2025-01-15", 110 / 160, 2), ("2025-02-10", 110 / 160, 2), ("2025-04-01", 0.5, 2)]
