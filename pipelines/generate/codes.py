"""The committed code tables, read at run time so the demo data never drift from them.

The generator draws every code it writes (owner names, powertrain labels, towns, fuel letters)
from `reference/*.csv`; a code table change shows up in the next generated dataset.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from pipelines.project import REFERENCE_DIR

# Registration fuel letters (GA 24.9) implied by each powertrain; checked against fuel.csv.
FUEL_BY_POWERTRAIN = {
    "BEV": "C",
    "PHEV": "AC",
    "EREV": "AC",
    "FCEV": "C",
    "HEV": "O",
    "CNG": "E",
    "LNG": "E",
    "LPG": "F",
    "BIFUEL": "AE",
    "DIESEL": "B",
    "PETROL": "A",
}


def _rows(name: str, reference_dir: Path) -> list[dict[str, str]]:
    with open(reference_dir / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Town:
    code: str
    label_zh: str
    lat: float
    lon: float


@dataclass(frozen=True)
class CodeTables:
    towns: tuple[Town, ...]
    powertrain_labels: dict[str, tuple[str, ...]]  # powertrain -> spellings, first = usual
    energy_class: dict[str, str]  # label -> new_energy / clean_energy / conventional
    owner_units: dict[str, tuple[str, ...]]  # category -> exact unit names
    owner_patterns: tuple[tuple[str, str], ...]  # (regular expression, category), in order
    usage: frozenset[str]
    fuel: frozenset[str]
    plate_type: frozenset[str]
    vehicle_type: frozenset[str]
    vehicle_status: frozenset[str]
    travel_mode: frozenset[str]
    trip_purpose: frozenset[str]

    def town(self, code: str) -> Town:
        return next(t for t in self.towns if t.code == code)


def load_code_tables(reference_dir: Path = REFERENCE_DIR) -> CodeTables:
    towns = tuple(
        Town(r["code"], r["label_zh"], float(r["centroid_lat"]), float(r["centroid_lon"]))
        for r in _rows("town", reference_dir)
    )
    labels: dict[str, list[str]] = {}
    energy = {}
    for row in _rows("powertrain", reference_dir):
        labels.setdefault(row["powertrain"], []).append(row["label_zh"])
        energy[row["label_zh"]] = row["energy_class"]
    units: dict[str, list[str]] = {}
    for row in _rows("owner_units", reference_dir):
        units.setdefault(row["category"], []).append(row["label_zh"])

    def codes(name: str) -> frozenset[str]:
        return frozenset(r["code"] for r in _rows(name, reference_dir))

    tables = CodeTables(
        towns=towns,
        powertrain_labels={k: tuple(v) for k, v in labels.items()},
        energy_class=energy,
        owner_units={k: tuple(v) for k, v in units.items()},
        owner_patterns=tuple(
            (r["pattern"], r["category"])
            for r in sorted(_rows("owner_patterns", reference_dir), key=lambda r: int(r["code"]))
        ),
        usage=codes("usage"),
        fuel=codes("fuel"),
        plate_type=codes("plate_type"),
        vehicle_type=codes("vehicle_type"),
        vehicle_status=codes("vehicle_status"),
        travel_mode=codes("travel_mode"),
        trip_purpose=codes("trip_purpose"),
    )
    unknown = {f for fuel in FUEL_BY_POWERTRAIN.values() for f in fuel} - tables.fuel
    if unknown:
        raise ValueError(f"fuel letters {sorted(unknown)} are not in reference/fuel.csv")
    return tables
