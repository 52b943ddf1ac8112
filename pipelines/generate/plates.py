"""Unique licence plates, drawn as integers and formatted vectorised.

A plate is (space, number): a space is a province+city prefix with one format (ordinary,
small or large new-energy, driving-school, police), and `number` indexes that format's
combinations. Drawing integers keeps plates unique across all sources and all scales without
holding millions of Python strings; formatting builds a code-point array viewed as text.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # GA 36: I and O never appear on plates
DIGITS = "0123456789"
ALNUM = LETTERS + DIGITS
MAX_FILL = 0.8  # past this share of a space, further local plates spill into the next prefix
LOCAL_PREFIXES = ("苏E", "苏U")  # Suzhou; 苏U only once 苏E runs short (large scales)
PLATE_WIDTH = 8  # longest plate: province + letter + 6


def _ordinary_patterns() -> list[tuple[bool, ...]]:
    """Five positions, at most two letters: 16 letter masks."""
    masks = []
    for letters in range(3):
        for chosen in combinations(range(5), letters):
            masks.append(tuple(i in chosen for i in range(5)))
    return masks


# Each format: list of (alphabets per position); sizes multiply.
_ORDINARY = [[LETTERS if is_letter else DIGITS for is_letter in m] for m in _ordinary_patterns()]
FORMATS: dict[str, list[list[str]]] = {
    "ordinary": _ORDINARY,
    "nev_small": [["DF", ALNUM, DIGITS, DIGITS, DIGITS, DIGITS]],
    "nev_large": [[DIGITS] * 5 + ["DF"]],
    "coach": [[DIGITS] * 4 + ["学"], [LETTERS] + [DIGITS] * 3 + ["学"]],
    "police": [[DIGITS] * 4 + ["警"]],
}


def format_size(kind: str) -> int:
    return sum(int(np.prod([len(a) for a in pattern])) for pattern in FORMATS[kind])


class PlateBook:
    """Hands out unique plate numbers per (prefix, format) and formats them."""

    def __init__(self, rng: np.random.Generator):
        self._rng = rng
        self._used: dict[tuple[str, str], np.ndarray] = {}

    def draw(self, kind: str, n: int, prefix: str = "苏E") -> np.ndarray:
        """`n` plates of one format; local plates overflow from 苏E into 苏U when full."""
        prefixes = LOCAL_PREFIXES if prefix == LOCAL_PREFIXES[0] else (prefix,)
        parts, remaining = [], n
        for candidate in prefixes:
            used = self._used.get((candidate, kind), np.empty(0, np.int64))
            room = int(format_size(kind) * MAX_FILL) - used.size
            take = remaining if candidate == prefixes[-1] else min(remaining, max(room, 0))
            if take > format_size(kind) - used.size:
                raise ValueError(f"plate space {candidate} {kind} exhausted")
            if take:
                numbers = self._fresh(kind, used, take)
                self._used[(candidate, kind)] = np.concatenate([used, numbers])
                parts.append(format_plates(candidate, kind, numbers))
            remaining -= take
            if not remaining:
                break
        return np.concatenate(parts) if parts else np.empty(0, f"<U{PLATE_WIDTH}")

    def _fresh(self, kind: str, used: np.ndarray, n: int) -> np.ndarray:
        """`n` distinct numbers not yet used; drawing n + used without replacement suffices."""
        draws = self._rng.choice(format_size(kind), size=n + used.size, replace=False)
        return draws[~np.isin(draws, used)][:n]


def format_plates(prefix: str, kind: str, numbers: np.ndarray) -> np.ndarray:
    """Plate strings for `numbers` of one (prefix, format) space."""
    numbers = np.asarray(numbers, dtype=np.int64)
    out = np.zeros((numbers.size, PLATE_WIDTH), dtype=np.uint32)
    for i, char in enumerate(prefix):
        out[:, i] = ord(char)
    patterns = FORMATS[kind]
    sizes = [int(np.prod([len(a) for a in p])) for p in patterns]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    which = np.searchsorted(offsets, numbers, side="right") - 1
    for index, pattern in enumerate(patterns):
        rows = np.flatnonzero(which == index)
        local = numbers[rows] - offsets[index]
        for position in range(len(pattern) - 1, -1, -1):
            alphabet = np.array([ord(c) for c in pattern[position]], dtype=np.uint32)
            out[rows, len(prefix) + position] = alphabet[local % alphabet.size]
            local //= alphabet.size
    return out.view(f"<U{PLATE_WIDTH}").ravel()
