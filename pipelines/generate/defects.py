"""Deliberate defects, so the pipeline's normalisation, warnings and quarantine have work.

Each kind states what the pipeline should do with it (`EFFECTS`): normalise it silently,
accept a valid variant spelling, warn, or quarantine the row. Rows are chosen at the defect
rate and the kinds of a file are dealt out in rotation, so every kind shows up once a file
has enough defective rows, and a file's quarantined share stays well under the 5% limit.
Every defect lands in the manifest with its file and row number (header = row 0).
"""

from __future__ import annotations

from datetime import date

import numpy as np

EFFECTS = {
    "plate_fullwidth": "normalised",
    "plate_separator": "normalised",
    "stray_blanks": "normalised",
    "date_spelling": "valid_variant",
    "vin_bad_check_digit": "warning",
    "vin_malformed": "quarantine",
    "unknown_usage": "quarantine",
    "unknown_fuel": "quarantine",
    "unknown_powertrain": "quarantine",
    "scrapped_without_date": "quarantine",
    "retired_before_in_service": "quarantine",
    "orphan_trip": "quarantine",
    "zero_trip_weight": "quarantine",
    "impossible_speed_walk": "quarantine",
    "impossible_speed_cycle": "quarantine",
}
UNKNOWN_USAGE = "W"  # e.g. a ride-hailing letter from a newer dictionary
UNKNOWN_FUEL = "X"
UNKNOWN_POWERTRAIN_LABELS = ("甲醇", "燃气", "汽柴混合", "氢电混动")
_FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
EXCEL_EPOCH = date(1899, 12, 30)


class DefectLog:
    """Per source, per kind: count, expected effect, rows per file and affected keys."""

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, dict]] = {}

    def record(self, source: str, kind: str, file: str, rows, keys=()) -> None:
        rows = [int(r) for r in rows]
        if not rows:
            return
        entry = self._entries.setdefault(source, {}).setdefault(
            kind, {"effect": EFFECTS[kind], "count": 0, "rows": {}, "keys": []}
        )
        entry["count"] += len(rows)
        entry["rows"].setdefault(file, []).extend(rows)
        entry["keys"].extend(str(k) for k in keys)

    def as_dict(self) -> dict:
        return {
            s: {k: self._entries[s][k] for k in sorted(self._entries[s])}
            for s in sorted(self._entries)
        }


class KindDealer:
    """Deals defect kinds in a fixed rotation (shuffled once per file)."""

    def __init__(self, rng: np.random.Generator, kinds: list[str]):
        self.kinds = [kinds[i] for i in rng.permutation(len(kinds))]
        self.turn = 0

    def deal(self, n: int) -> list[str]:
        dealt = [self.kinds[(self.turn + i) % len(self.kinds)] for i in range(n)]
        self.turn += n
        return dealt


def choose_rows(rng: np.random.Generator, eligible: np.ndarray, rate: float, n_rows: int):
    """round(rate · n_rows) distinct rows among `eligible` indices, ascending."""
    count = min(round(rate * n_rows), eligible.size)
    return np.sort(rng.choice(eligible, size=count, replace=False)) if count else eligible[:0]


def fullwidth(text: str) -> str:
    return text.translate(_FULL_WIDTH)


def plate_separator(plate: str, rng: np.random.Generator) -> str:
    """`苏E·D12345`, `苏E D12345` or `苏 E12345`: separators the pipeline removes."""
    separator = ("·", " ", "·")[int(rng.integers(3))]
    cut = 1 if separator == " " and rng.random() < 0.3 else 2
    return plate[:cut] + separator + plate[cut:]


def stray_blanks(text: str, rng: np.random.Generator) -> str:
    return (f" {text}", f"{text} ", f"  {text} ", f"\u3000{text}")[int(rng.integers(4))]


def spell_date(day: date, style: int) -> str:
    """Typed-in spellings docs/sources.md accepts: ISO, 2021/3/5, 20210305, 2021年3月5日."""
    return (
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        day.strftime("%Y%m%d"),
        f"{day.year}年{day.month}月{day.day}日",
    )[style]


def excel_serial(day: date) -> int:
    return (day - EXCEL_EPOCH).days


def date_spelling(day: date, rng: np.random.Generator) -> str:
    """Another accepted spelling of the same day than ISO (or its Excel serial, as text)."""
    style = int(rng.integers(1, 5))
    return str(excel_serial(day)) if style == 4 else spell_date(day, style)


def bad_check_digit(vin: str, rng: np.random.Generator) -> str:
    others = [c for c in "0123456789X" if c != vin[8]]
    return vin[:8] + others[int(rng.integers(len(others)))] + vin[9:]


def malformed_vin(vin: str, rng: np.random.Generator) -> str:
    """A letter I/O/Q in the VIN, or one character too few or too many."""
    style = int(rng.integers(3))
    if style == 0:
        position = int(rng.choice([3, 4, 5, 6, 7, 11, 12]))
        return vin[:position] + "IOQ"[int(rng.integers(3))] + vin[position + 1 :]
    if style == 1:
        return vin[:-1]
    return vin + str(int(rng.integers(10)))


def unknown_powertrain(known: set[str], rng: np.random.Generator) -> str:
    labels = [x for x in UNKNOWN_POWERTRAIN_LABELS if x not in known]
    return labels[int(rng.integers(len(labels)))]


def assign_kinds(
    rng: np.random.Generator,
    kinds: list[str],
    rate: float,
    n_rows: int,
    eligible: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Rows per kind: round(rate · n_rows) rows dealt over the kinds, each row at most once,
    each kind only on its eligible rows (all rows when not listed)."""
    dealer = KindDealer(rng, kinds)
    dealt = dealer.deal(round(rate * n_rows))
    taken = np.zeros(n_rows, dtype=bool)
    chosen: dict[str, np.ndarray] = {}
    for kind in dealer.kinds:
        pool = (eligible or {}).get(kind, np.arange(n_rows))
        pool = pool[~taken[pool]]
        count = min(dealt.count(kind), pool.size)
        rows = np.sort(rng.choice(pool, size=count, replace=False)) if count else pool[:0]
        taken[rows] = True
        chosen[kind] = rows
    return chosen
