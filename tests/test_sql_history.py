"""SCD2 history of the full-ledger sources: each snapshot is one query on the intervals."""

from __future__ import annotations

import datetime as dt

import pytest

from assets.warehouse.assets import build_model
from tests.sql_fixtures import Warehouse, models

HISTORY = {
    "registrations": ("marts.dim_registration_history", "usage", "usage_code"),
    "bus_fleet": ("marts.dim_bus_history", "status", "operating_status"),
    "taxi_fleet": ("marts.dim_taxi_history", "company", "company"),
}
# business columns of each raw table and their names in the history table
STATE = {
    "registrations": {
        "plate_pseudonym": "plate_pseudonym",
        "plate_type": "plate_type_code",
        "vin_pseudonym": "vin_pseudonym",
        "vehicle_type": "vehicle_type_code",
        "usage": "usage_code",
        "fuel": "fuel_codes",
        "first_registered_on": "first_registered_on",
        "status": "status_codes",
        "status_changed_on": "status_changed_on",
        "owner": "owner",
        "admin_code": "admin_code",
        "_extra": "extra_columns",
    },
    "bus_fleet": {
        "fleet_no": "fleet_no",
        "plate_pseudonym": "plate_pseudonym",
        "route": "route_short_name",
        "length_m": "length_m",
        "seats": "seats",
        "powertrain_label": "powertrain_label",
        "in_service_on": "in_service_on",
        "retired_on": "retired_on",
        "status": "operating_status",
        "operator": "operator",
        "_extra": "extra_columns",
    },
    "taxi_fleet": {
        "company": "company",
        "plate_pseudonym": "plate_pseudonym",
        "taxi_kind": "taxi_kind",
        "powertrain_label": "powertrain_label",
        "operating_area": "operating_area",
        "in_service_on": "in_service_on",
        "exited_on": "exited_on",
        "_extra": "extra_columns",
    },
}
JAN, FEB, MAR, APR = (dt.date(2025, m, d) for m, d in ((1, 31), (2, 28), (3, 31), (4, 30)))


def _drop(wh: Warehouse, source: str) -> None:
    """Jan: A, B, C. Feb: A, B changed, D twice (C gone). Mar: rejected. Apr: A, B as in Jan,
    C back. `changed` is the column HISTORY names for each source."""
    _, column, _ = HISTORY[source]

    def vehicle(plate, value="x"):
        row = {"plate_pseudonym": plate, column: value}
        return row | {"fleet_no": f"F-{plate}"} if source == "bus_fleet" else row

    wh.ledger(source, "2025-01-31", [vehicle("A"), vehicle("B"), vehicle("C")])
    wh.ledger(source, "2025-02-28", [vehicle("A"), vehicle("B", "y"), vehicle("D"), vehicle("D")])
    wh.ledger(source, "2025-03-31", [vehicle("A")], status="rejected")
    wh.ledger(source, "2025-04-30", [vehicle("A"), vehicle("B"), vehicle("C")])
    # only the history model and the accepted files it reads (models() is in build order)
    for model in models():
        if model.qualified_name in ("staging.stg_audit__accepted_files", HISTORY[source][0]):
            build_model(wh.con, model)


@pytest.fixture
def wh():
    warehouse = Warehouse()
    yield warehouse
    warehouse.con.close()


@pytest.mark.parametrize("source", sorted(HISTORY))
def test_each_state_is_held_once_between_the_dates_of_the_exports_holding_it(wh, source):
    _drop(wh, source)
    table, _, changed = HISTORY[source]
    assert wh.rows(
        f"select plate_pseudonym, {changed}, copies, valid_from, valid_to from {table} "
        "order by plate_pseudonym, valid_from"
    ) == [
        ("A", "x", 1, JAN, None),  # unchanged in every accepted export: one row
        ("B", "x", 1, JAN, FEB),
        ("B", "y", 1, FEB, APR),
        ("B", "x", 1, APR, None),  # back to its January state: a new interval
        ("C", "x", 1, JAN, FEB),
        ("C", "x", 1, APR, None),  # absent in February
        ("D", "x", 2, FEB, APR),  # held twice by the February export
    ]


@pytest.mark.parametrize("source", sorted(HISTORY))
def test_the_history_reproduces_every_accepted_snapshot_exactly(wh, source):
    _drop(wh, source)
    table = HISTORY[source][0]
    raw_columns = ", ".join(STATE[source])
    history_columns = ", ".join(STATE[source].values())
    for export in (JAN, FEB, APR):
        snapshot = wh.rows(
            f"select {raw_columns} from raw.{source} where _file_date = ? order by all", export
        )
        as_of = wh.rows(
            f"select {history_columns} from {table}, range(copies) "
            "where valid_from <= ? and (valid_to is null or valid_to > ?) order by all",
            export,
            export,
        )
        assert as_of == snapshot, export
        assert len(snapshot) == (3 if export != FEB else 4)
    # a day between exports sees the export before it
    assert wh.rows(
        f"select count(*) from {table}, range(copies) where valid_from <= ? "
        "and (valid_to is null or valid_to > ?)",
        dt.date(2025, 3, 31),
        dt.date(2025, 3, 31),
    ) == [(4,)]
