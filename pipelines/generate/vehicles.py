"""Shared pieces of a vehicle record: plates by era, fuels, division codes, the record frame.

Buses, taxis, unit fleets and private cars all become rows of one registrations ledger, so
they are built through the same helpers and end in frames of the same schema.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.generate.calibration import NEW_ENERGY_PLATES_FROM
from pipelines.generate.plates import PlateBook

# One row per vehicle; dates are the vehicle's life, the snapshot writer derives status.
RECORD_SCHEMA = {
    "plate": pl.String,
    "plate_type": pl.String,
    "vin": pl.String,
    "vehicle_type": pl.String,
    "usage": pl.String,
    "fuel": pl.String,
    "first_registered_on": pl.Date,
    "exit_kind": pl.String,  # E deregistered, B transferred out, null = still registered
    "exit_on": pl.Date,
    "owner": pl.String,
    "admin_code": pl.String,
    "status_draw": pl.Float32,  # uniform draw behind G/Q/D flags at a snapshot; null = never
}
NEV_PLATES_FROM = np.datetime64(NEW_ENERGY_PLATES_FROM, "D")


def years_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[Y]").astype(np.int64) + 1970


def uniform_days(rng: np.random.Generator, start, end, n: int) -> np.ndarray:
    """`n` dates uniformly between two dates (inclusive)."""
    start, end = np.datetime64(start, "D"), np.datetime64(end, "D")
    span = int((end - start).astype(np.int64)) + 1
    return start + rng.integers(0, span, n).astype("timedelta64[D]")


def by_year(table: dict[int, float], years: np.ndarray, before: float = 0.0) -> np.ndarray:
    """Step lookup in a {year: value} table: the entry of the latest year ≤ each year."""
    keys = np.array(sorted(table))
    values = np.array([table[k] for k in keys])
    index = np.searchsorted(keys, years, side="right") - 1
    return np.where(index >= 0, values[np.clip(index, 0, None)], before)


def pick(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    """`n` draws from a {value: weight} table (insertion order fixes the result)."""
    return np.array(list(weights))[draw(rng, weights, n)]


def draw(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    """Indices of `n` draws from a {value: weight} table."""
    p = np.array(list(weights.values()), dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def labelled(labels: list[str], index: np.ndarray) -> pl.Series:
    """Text column from indices into a few labels: far cheaper than converting numpy text."""
    return pl.Series(labels, dtype=pl.String).gather(index)


def plates_by_era(
    book: PlateBook,
    is_new_energy: np.ndarray,
    large: bool | np.ndarray,
    first_registered_on: np.ndarray,
    prefixes: np.ndarray | None = None,
    ordinary_kind: str = "ordinary",
    ordinary_type: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Plates and plate types: green 51/52 plates only for NEVs registered from late 2017.

    Earlier NEVs kept ordinary plates (their fuel letter C still marks them electric).
    """
    n = is_new_energy.size
    prefixes = np.full(n, "苏E") if prefixes is None else prefixes
    green = is_new_energy & (first_registered_on >= NEV_PLATES_FROM)
    plates = np.empty(n, dtype="<U8")
    types = np.where(green, "51" if large else "52", ordinary_type or ("01" if large else "02"))
    for prefix in dict.fromkeys(prefixes.tolist()):  # first-seen order: deterministic
        for is_green, kind in (
            (False, ordinary_kind),
            (True, "nev_large" if large else "nev_small"),
        ):
            rows = np.flatnonzero((prefixes == prefix) & (green == is_green))
            if rows.size:
                plates[rows] = book.draw(kind, rows.size, prefix)
    return plates, types.astype("<U2")


def admin_codes(rng: np.random.Generator, towns: list[str], weights: np.ndarray, n: int):
    """9-digit town codes, a quarter written as 12-digit community/village codes."""
    villages = [f"{v:03d}" for v in [*range(0, 26), *range(200, 231)]]
    table = towns + [t + v for t in towns for v in villages]
    town = rng.choice(len(towns), size=n, p=weights / weights.sum())
    village = rng.integers(0, len(villages), n)
    long_form = rng.random(n) < 0.25
    return labelled(table, np.where(long_form, len(towns) + town * len(villages) + village, town))


def record_frame(**columns) -> pl.DataFrame:
    """A frame in RECORD_SCHEMA from numpy arrays / lists (missing columns become null)."""
    n = len(next(iter(columns.values())))
    data = {}
    for name, dtype in RECORD_SCHEMA.items():
        value = columns.get(name)
        if value is None:
            data[name] = pl.Series(name, [None] * n, dtype=dtype)
        elif isinstance(value, pl.Series):
            data[name] = value.alias(name).cast(dtype)
        else:
            data[name] = pl.Series(name, value, dtype=dtype)
    return pl.DataFrame(data)
