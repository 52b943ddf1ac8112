"""`greentrack generate`: synthetic Taicang-like source files in the formats of docs/sources.md.

The demo data reproduce the published 2020 facts at scale 1 (80 routes, ~48,200 weekday
bus-km, 326 buses of which 189 new/clean, 831,113 residents) and simulate everything else;
indicator trajectories come out of the simulation. Same seed, scale, defect rate and as_of
give byte-identical files. Every deliberate defect is listed in `_generator_manifest.json`.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.generate import bus_ledger, mismatches, registrations, surveys, taxi_ledger
from pipelines.generate.bus_fleet import simulate_buses
from pipelines.generate.calibration import SURVEY_WAVES
from pipelines.generate.codes import load_code_tables
from pipelines.generate.defects import DefectLog
from pipelines.generate.gtfs_feed import write_feeds
from pipelines.generate.network import build_network
from pipelines.generate.plates import PlateBook
from pipelines.generate.taxi_fleet import simulate_taxis
from pipelines.generate.vehicle_stock import vehicle_chunks

MANIFEST_NAME = "_generator_manifest.json"
OLDER_LEDGER_DATE = date(2024, 12, 31)
OLDER_REGISTRATIONS_MAX_SCALE = 0.1  # the second registrations snapshot only for small runs
# One random stream per part, so a change in one part never shifts another's draws.
STREAMS = {
    "network": 1,
    "gtfs": 2,
    "buses": 3,
    "taxis": 4,
    "plates": 5,
    "mismatches": 6,
    "vehicles": 7,
    "registrations": 8,
    "bus_ledger": 9,
    "taxi_ledger": 10,
    "surveys": 11,
}


def _rng(seed: int, stream: str, *extra: int) -> np.random.Generator:
    return np.random.default_rng([seed, STREAMS[stream], *extra])


def generate_all(
    out_dir: Path,
    scale: float = 1.0,
    seed: int = 42,
    defect_rate: float = 0.01,
    as_of: date = date(2025, 10, 31),
) -> dict:
    """Write every source under `out_dir` and return the manifest (also written as JSON)."""
    if scale <= 0 or not 0 <= defect_rate < 0.5:
        raise ValueError("scale must be > 0 and defect_rate in [0, 0.5)")
    if as_of <= OLDER_LEDGER_DATE:
        raise ValueError(f"as_of must be after {OLDER_LEDGER_DATE}, the date of the older ledgers")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = load_code_tables()
    known_labels = set(tables.energy_class)
    log = DefectLog()
    files: dict[str, dict] = {}

    network = build_network(_rng(seed, "network"), tables, scale, as_of)
    for name in write_feeds(network, out_dir, _rng(seed, "gtfs")):
        files[name] = {"encoding": "utf-8"}

    book = PlateBook(_rng(seed, "plates"))
    buses, bus_records = simulate_buses(_rng(seed, "buses"), tables, scale, as_of, book)
    taxis, taxi_records = simulate_taxis(_rng(seed, "taxis"), tables, scale, as_of, book)
    overrides, cross_source = {}, {}
    if defect_rate > 0:
        buses, bus_records, taxis, taxi_records, overrides, cross_source = mismatches.inject(
            _rng(seed, "mismatches"), as_of, buses, bus_records, taxis, taxi_records, book
        )

    without_bus = {}
    for day in (OLDER_LEDGER_DATE, as_of):
        rng = _rng(seed, "bus_ledger", day.toordinal())
        custom = overrides if day == as_of else {}
        name, count, idle = bus_ledger.write_ledger(
            out_dir, buses, network, day, rng, defect_rate, log, known_labels, custom
        )
        files[name] = {"rows": count}
        without_bus[name] = idle
        rng = _rng(seed, "taxi_ledger", day.toordinal())
        name, count = taxi_ledger.write_register(
            out_dir, taxis, day, as_of, rng, defect_rate, log, known_labels
        )
        files[name] = {"rows": count, "encoding": taxi_ledger.encoding_for(day, as_of)}
    cross_source["gtfs_routes_without_bus"] = without_bus

    fleet_records = pl.concat([bus_records, taxi_records])
    chunks = vehicle_chunks(_rng(seed, "vehicles"), tables, scale, as_of, book, fleet_records)
    days = [as_of]
    if scale <= OLDER_REGISTRATIONS_MAX_SCALE:
        chunks, days = list(chunks), [OLDER_LEDGER_DATE, as_of]
    for day in days:
        rng = _rng(seed, "registrations", day.toordinal())
        name, count = registrations.write_snapshot(out_dir, day, chunks, rng, defect_rate, log)
        files[name] = {"rows": count, "encoding": registrations.ENCODING}

    for wave in SURVEY_WAVES:
        rng = _rng(seed, "surveys", wave)
        for name, count in surveys.write_wave(
            out_dir, tables, scale, wave, rng, defect_rate, log
        ).items():
            files[name] = {"rows": count, "encoding": surveys.ENCODING[wave]}

    manifest = {
        "parameters": {
            "scale": scale,
            "seed": seed,
            "defect_rate": defect_rate,
            "as_of": as_of.isoformat(),
        },
        "files": dict(sorted(files.items())),
        "defects": log.as_dict(),
        "cross_source": cross_source,
    }
    (out_dir / MANIFEST_NAME).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return manifest
