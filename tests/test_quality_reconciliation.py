"""Reconciliation of the fleet ledgers with the registrations, on literal rows."""

from __future__ import annotations

import json

import duckdb
import polars as pl
import pytest

from assets.ingest.identifiers import normalise_plate_expr
from assets.ingest.pseudonym import pseudonym_of
from pipelines.warehouse import fetch_frame
from tests.conftest import TEST_KEY
from tests.fixtures.bad_inputs.run import greentrack_run
from tests.sql_fixtures import Warehouse

BUS = {"plate_pseudonym": "bus-1", "fleet_no": "B1", "powertrain_label": "纯电动"}
BUS_REGISTRATION = {"plate_pseudonym": "bus-1", "usage": "C", "plate_type": "01", "fuel": "C"}
TAXI = {"plate_pseudonym": "taxi-1", "powertrain_label": "纯电动"}
TAXI_REGISTRATION = {"plate_pseudonym": "taxi-1", "usage": "D", "plate_type": "52", "fuel": "A"}


# The model and the models it reads (the newest accepted files, energy class, electric flag).
MODELS = (
    "staging.stg_audit__accepted_files",
    "staging.stg_registrations__vehicles",
    "staging.stg_bus_fleet__buses",
    "staging.stg_taxi_fleet__taxis",
    "intermediate.int_buses__energy_class",
    "intermediate.int_taxis__energy_class",
    "intermediate.int_vehicles__owner_category",
    "marts.dim_vehicle",
    "quality.reconciliation",
)


def reconciled(warehouse: Warehouse) -> pl.DataFrame:
    """Build quality.reconciliation on the tiny warehouse and read it."""
    con = warehouse.build_only(*MODELS).con
    return fetch_frame(
        con, "select * from quality.reconciliation order by fleet, mismatch_kind, vehicle_id"
    )


def mismatches(bus=(), taxis=(), registrations=(), older_registrations=None):
    warehouse = Warehouse()
    if older_registrations is not None:
        warehouse.ledger("registrations", "2025-01-31", older_registrations)
    warehouse.ledger("registrations", "2025-10-31", registrations)
    warehouse.ledger("bus_fleet", "2025-10-31", bus)
    warehouse.ledger("taxi_fleet", "2025-10-31", taxis)
    frame = reconciled(warehouse)
    return [
        (row["fleet"], row["vehicle_id"], row["mismatch_kind"])
        for row in frame.iter_rows(named=True)
    ]


def test_registered_bus_and_taxi_that_agree_are_not_listed():
    assert mismatches([BUS], [TAXI], [BUS_REGISTRATION, TAXI_REGISTRATION]) == []


@pytest.mark.parametrize(
    ("bus", "registration", "expected"),
    [
        (BUS, {**BUS_REGISTRATION, "plate_pseudonym": "other"}, ["no_registration"]),
        (BUS, {**BUS_REGISTRATION, "usage": "A"}, ["usage_mismatch"]),
        (BUS, {**BUS_REGISTRATION, "fuel": "B"}, ["energy_mismatch"]),
        (
            BUS,
            {**BUS_REGISTRATION, "usage": "B", "fuel": "B"},
            ["energy_mismatch", "usage_mismatch"],
        ),
        ({**BUS, "powertrain_label": "柴油"}, BUS_REGISTRATION, ["energy_mismatch"]),
        # clean energy (LNG) is not new energy: a diesel/gas registration agrees
        ({**BUS, "powertrain_label": "LNG"}, {**BUS_REGISTRATION, "fuel": "E"}, []),
        # a new-energy plate type is electric whatever the fuel letters say
        (BUS, {**BUS_REGISTRATION, "plate_type": "51", "fuel": "B"}, []),
        # plug-in hybrid: AC counts as electric
        ({**BUS, "powertrain_label": "插电式混合动力"}, {**BUS_REGISTRATION, "fuel": "AC"}, []),
    ],
)
def test_bus_mismatch_kinds(bus, registration, expected):
    assert mismatches([bus], [], [registration]) == [("bus", "B1", kind) for kind in expected]


def test_street_hail_taxis_need_usage_d_and_ride_hailing_cars_are_not_checked():
    taxis = [TAXI, {"plate_pseudonym": "ride-1", "taxi_kind": "网约车"}]
    registrations = [{**TAXI_REGISTRATION, "usage": "A"}]
    assert mismatches([], taxis, registrations) == [("taxi", "taxi-1", "usage_mismatch")]


def test_only_the_newest_accepted_files_are_reconciled():
    older = [{**BUS_REGISTRATION, "usage": "A"}]
    assert mismatches([BUS], [], [BUS_REGISTRATION], older_registrations=older) == []


def test_without_any_registrations_file_nothing_is_listed():
    warehouse = Warehouse()
    warehouse.ledger("bus_fleet", "2025-10-31", [BUS])
    assert reconciled(warehouse).height == 0


def test_each_mismatch_is_one_row_of_its_kind():
    warehouse = Warehouse()
    warehouse.ledger("registrations", "2025-10-31", [{**BUS_REGISTRATION, "usage": "A"}])
    warehouse.ledger(
        "bus_fleet", "2025-10-31", [BUS, {**BUS, "fleet_no": "B2", "plate_pseudonym": "bus-2"}]
    )
    assert [
        (r["vehicle_id"], r["mismatch_kind"], r["detail"])
        for r in reconciled(warehouse).iter_rows(named=True)
    ] == [
        ("B2", "no_registration", "plate not in the newest registrations file"),
        ("B1", "usage_mismatch", "registered with usage A, expected C"),
    ]


def test_a_plate_whose_registration_was_quarantined_is_told_apart():
    warehouse = Warehouse()
    name = warehouse.ledger("registrations", "2025-10-31", [TAXI_REGISTRATION])
    warehouse.ledger("bus_fleet", "2025-10-31", [BUS])
    warehouse.con.execute(
        "insert into quality.quarantine values ('r', 'registrations', ?, 2, 'usage', ?, ?)",
        [name, "unknown usage code 'W'", json.dumps({"plate": "bus-1", "usage": "W"})],
    )
    assert [r["mismatch_kind"] for r in reconciled(warehouse).iter_rows(named=True)] == [
        "registration_quarantined"
    ]


# The generator's manifest kinds (pipelines/generate/mismatches.py) → (fleet, mismatch_kind).
# `bus_route_not_in_gtfs` is a GTFS cross-check, not part of this reconciliation.
MANIFEST_KINDS = {
    "bus_plate_missing_from_registrations": ("bus", "no_registration"),
    "bus_registration_usage_not_c": ("bus", "usage_mismatch"),
    "bus_powertrain_disagreement": ("bus", "energy_mismatch"),
    "taxi_plate_missing_from_registrations": ("taxi", "no_registration"),
    "taxi_registration_usage_not_d": ("taxi", "usage_mismatch"),
    "taxi_powertrain_disagreement": ("taxi", "energy_mismatch"),
}


def _find_mismatch_part(node):
    """The manifest part holding the mismatch kinds, wherever the generator nests it."""
    if isinstance(node, dict):
        if set(MANIFEST_KINDS) <= set(node):
            return node
        for value in node.values():
            found = _find_mismatch_part(value)
            if found is not None:
                return found
    return None


def _pseudonyms(plates: list[str], key: bytes) -> list[str]:
    normalised = pl.Series(plates).to_frame("plate").select(normalise_plate_expr(pl.col("plate")))
    return [pseudonym_of(plate, key) for plate in normalised.to_series().to_list()]


@pytest.mark.slow  # a whole pipeline run on generated data: make test-slow
def test_reconciliation_lists_exactly_the_generator_injected_mismatches(tmp_path, monkeypatch):
    try:
        from pipelines.generate import generate_all
    except ImportError:
        pytest.skip("pipelines.generate.generate_all is not importable yet")
    monkeypatch.setenv("GREENTRACK_PSEUDONYM_KEY", TEST_KEY)
    generate_all(tmp_path / "data_raw", scale=0.05, seed=7, defect_rate=0.01)
    manifest_path = tmp_path / "data_raw" / "_generator_manifest.json"
    if not manifest_path.exists():
        pytest.skip("the demo generator writes no _generator_manifest.json yet")
    part = _find_mismatch_part(json.loads(manifest_path.read_text(encoding="utf-8")))
    if part is None:
        pytest.skip(f"_generator_manifest.json lists none of {sorted(MANIFEST_KINDS)}")
    expected = {
        (fleet, pseudonym, kind)
        for name, (fleet, kind) in MANIFEST_KINDS.items()
        for pseudonym in _pseudonyms(part[name]["plates"], TEST_KEY.encode())
    }
    result = greentrack_run(tmp_path, monkeypatch)
    assert result.code in (0, 3), result.err
    published = tmp_path / "warehouse" / "green_transport.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        found = set(
            con.execute(
                "select fleet, plate_pseudonym, mismatch_kind from quality.reconciliation "
                "where mismatch_kind <> 'registration_quarantined'"
            ).fetchall()
        )
        # a fleet vehicle whose registration row the generator's row defects sent to
        # quarantine is told apart, and its plate really is in quality.quarantine
        unexplained = con.execute(
            "select plate_pseudonym from quality.reconciliation "
            "where mismatch_kind = 'registration_quarantined' and plate_pseudonym not in "
            "(select json_extract_string(raw_record, '$.plate') from quality.quarantine)"
        ).fetchall()
    assert found == expected
    assert unexplained == []
