"""The bus ledger as the operator exports it on a given day: 车辆台账, one row per bus.

Each ledger shows what was known on its date: buses not yet retired have a blank 报废日期,
running buses carry a route of the GTFS feed in force that day (reserve buses none), retired
buses the route of the feed in force when they were retired. Date cells mix real Excel dates,
serial numbers and typed text, as hand-kept ledgers do.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from assets.ingest.raw_tables import source_headers
from pipelines.generate import calibration as cal
from pipelines.generate import defects as dq
from pipelines.generate.network import Network
from pipelines.generate.writers import write_xlsx

SHEET = "车辆台账"
HEADERS = source_headers("raw.bus_fleet")
AGENCY_OF_OPERATOR = {cal.BUS_OPERATORS[0]: "TCGJ", cal.BUS_OPERATORS[1]: "TCCX"}


def _route_weights(network: Network, version: date, agency: str):
    routes = [r for r in network.routes_in(version) if r.agency_id == agency]
    hours = np.array([r.trips_per_direction[version] * r.length_km / r.speed_kmh for r in routes])
    return [r.short_name for r in routes], hours / hours.sum() if routes else hours


def _assign(rng, names: list[str], weights: np.ndarray, n: int, cover: bool) -> list[str | None]:
    """Routes for n buses; with `cover`, every route first gets one bus (when there are enough)."""
    if not names:
        return [None] * n
    chosen = list(np.array(names)[rng.choice(len(names), n, p=weights)])
    if cover:
        first = rng.permutation(n)[: min(n, len(names))]
        for slot, route in zip(first, rng.permutation(names), strict=False):
            chosen[slot] = str(route)
    return [str(x) for x in chosen]


def ledger_rows(
    buses: pl.DataFrame, network: Network, day: date, rng, overrides: dict
) -> list[list]:
    """Rows (cells as Python values) of the ledger dated `day`; `overrides` maps fleet_no to a
    route that the feed does not know (cross-source mismatches)."""
    frame = buses.filter(pl.col("in_service_on") <= day)
    retired = (frame["retire_on"] <= day).to_numpy()
    draw = rng.random(frame.height)
    shares = np.cumsum(list(cal.BUS_STATUS_SHARES.values()))
    status = np.array(list(cal.BUS_STATUS_SHARES))[np.searchsorted(shares, draw * shares[-1])]
    status[retired] = "报废"
    custom = np.isin(frame["fleet_no"].to_numpy(), list(overrides)) & ~retired
    status[custom] = "运营"
    routes: list[str | None] = [None] * frame.height
    operators = frame["operator"].to_numpy()
    running = ~retired & (status != "备用") & ~custom
    weights = {
        (v, a): _route_weights(network, v, a)
        for v in network.versions
        for a in AGENCY_OF_OPERATOR.values()
    }
    retire_on = frame["retire_on"].to_list()
    for operator, agency in AGENCY_OF_OPERATOR.items():
        rows = np.flatnonzero(running & (operators == operator))
        chosen = _assign(rng, *weights[network.version_at(day), agency], rows.size, cover=True)
        for slot, route in zip(rows, chosen, strict=True):
            routes[slot] = route
        for row in np.flatnonzero(retired & (operators == operator)):
            at = network.version_at(retire_on[row])
            routes[row] = _assign(rng, *weights[at, agency], 1, cover=False)[0]
    rows = []
    for i, bus in enumerate(frame.iter_rows(named=True)):
        route = overrides[bus["fleet_no"]] if custom[i] else routes[i]
        rows.append(
            [
                bus["fleet_no"],
                bus["plate"],
                route,
                bus["length_m"],
                bus["seats"],
                bus["powertrain_label"],
                bus["in_service_on"],
                bus["retire_on"] if retired[i] else None,
                str(status[i]),
                bus["operator"],
            ]
        )
    return rows


def mix_date_cells(rows: list[list], rng) -> None:
    """Most dates as date cells, some as serial numbers, a few typed in as text."""
    for row in rows:
        for column in (6, 7):
            if isinstance(row[column], date):
                u = rng.random()
                if 0.85 <= u < 0.95:
                    row[column] = dq.excel_serial(row[column])
                elif u >= 0.95:
                    row[column] = dq.spell_date(row[column], int(rng.integers(4)))


def routes_without_bus(rows: list[list], network: Network, day: date) -> list[str]:
    """Routes of the feed in force on `day` that no running bus of this ledger serves."""
    served = {row[2] for row in rows if row[8] != "报废" and row[2]}
    return sorted(
        r.short_name
        for r in network.routes_in(network.version_at(day))
        if r.short_name not in served
    )


BUS_DEFECT_KINDS = [
    "plate_fullwidth",
    "plate_separator",
    "stray_blanks",
    "date_spelling",
    "unknown_powertrain",
    "scrapped_without_date",
    "retired_before_in_service",
]


def _break(row: list, kind: str, rng, known_labels: set[str]) -> None:
    if kind == "plate_fullwidth":
        row[1] = row[1][:1] + dq.fullwidth(row[1][1:])
    elif kind == "plate_separator":
        row[1] = dq.plate_separator(row[1], rng)
    elif kind == "stray_blanks":
        column = (1, 5, 8, 9)[int(rng.integers(4))]
        row[column] = dq.stray_blanks(row[column], rng)
    elif kind == "date_spelling":
        row[6] = dq.date_spelling(row[6], rng)
    elif kind == "unknown_powertrain":
        row[5] = dq.unknown_powertrain(known_labels, rng)
    elif kind == "scrapped_without_date":
        row[7] = None
    else:  # retired_before_in_service
        row[7] = row[6] - timedelta(days=int(rng.integers(30, 400)))


def write_ledger(
    out_dir: Path,
    buses: pl.DataFrame,
    network: Network,
    day: date,
    rng,
    defect_rate: float,
    log: dq.DefectLog,
    known_labels: set[str],
    overrides: dict,
) -> tuple[str, int, list[str]]:
    """bus_fleet_<day>.xlsx with row defects; buses of the published 2020 fleet only ever get
    defects the pipeline normalises, so the 2020 figure survives any defect rate. Returns the
    file name, its row count and the feed's routes that no running bus serves."""
    name = f"bus_fleet/bus_fleet_{day.strftime('%Y%m%d')}.xlsx"
    rows = ledger_rows(buses, network, day, rng, overrides)
    without_bus = routes_without_bus(rows, network, day)
    frame = buses.filter(pl.col("in_service_on") <= day)
    fact_day = cal.FLEET_FACT_DATE
    protected = ((frame["in_service_on"] <= fact_day) & (frame["retire_on"] > fact_day)).to_numpy()
    retired = np.array([row[8] == "报废" for row in rows], dtype=bool)
    free = np.flatnonzero(~protected)
    eligible = {
        "unknown_powertrain": free,
        "scrapped_without_date": np.flatnonzero(retired & ~protected),
        "retired_before_in_service": np.flatnonzero(retired & ~protected),
    }
    chosen = dq.assign_kinds(rng, BUS_DEFECT_KINDS, defect_rate, len(rows), eligible)
    for kind, at in chosen.items():
        for index in at:
            _break(rows[index], kind, rng, known_labels)
        log.record("bus_fleet", kind, name, at + 1, [rows[i][0] for i in at])
    mix_date_cells(rows, rng)
    write_xlsx(out_dir / name, SHEET, HEADERS, rows)
    return name, len(rows), without_bus
