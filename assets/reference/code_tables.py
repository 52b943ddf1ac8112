"""Read the committed code tables (reference/*.csv, targets.yaml) as typed polars frames.

Code tables are data, not code: SQL models and checks both read them from `reference.*`.
Columns named `is_*` are booleans; `code` stays text (plate types keep their leading zero).
Factor tables (emission_factors, energy_intensity, fleet_activity) carry `value_central`,
`value_low`, `value_high` as doubles and the `source_year` of the cited source.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import yaml

# the code tables whose codes the ingest row rules check (assets/ingest/code_sets.py)
CODE_SET_TABLES = (
    "plate_type",
    "usage",
    "fuel",
    "vehicle_status",
    "vehicle_type",
    "powertrain",
    "town",
    "travel_mode",
    "trip_purpose",
)
CODE_TABLES = (
    *CODE_SET_TABLES,
    "owner_units",
    "owner_patterns",
    "emission_factors",
    "energy_intensity",
    "fleet_activity",
)


def read_code_table(reference_dir: Path, name: str) -> pl.DataFrame:
    frame = pl.read_csv(reference_dir / f"{name}.csv", infer_schema=False)
    casts = []
    for column in frame.columns:
        if column.startswith("is_"):
            casts.append(pl.col(column).str.to_lowercase().eq("true").alias(column))
        elif column.startswith(("centroid_", "value_")) or column == "max_speed_kmh":
            casts.append(pl.col(column).cast(pl.Float64))
        elif column == "source_year":
            casts.append(pl.col(column).cast(pl.Int64))
    return frame.with_columns(casts) if casts else frame


def read_targets(reference_dir: Path) -> pl.DataFrame:
    """targets.yaml as a frame; `target` stays an exact decimal string (never a float)."""
    document = yaml.safe_load((reference_dir / "targets.yaml").read_text(encoding="utf-8"))
    rows = []
    for entry in document["targets"]:
        deadline = entry["deadline"]
        if not isinstance(deadline, dt.date):
            deadline = dt.date.fromisoformat(str(deadline))
        rows.append(
            {
                "id": str(entry["id"]),
                "name_zh": str(entry["name_zh"]),
                "name_en": str(entry["name_en"]),
                "target": str(Decimal(str(entry["target"]))),
                "comparator": str(entry.get("comparator", ">=")),
                "deadline": deadline,
                "kind": str(entry["kind"]),
                "source": str(entry.get("source", "")),
            }
        )
    return pl.DataFrame(rows)
