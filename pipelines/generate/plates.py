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
# Suzhou's 苏E, then 苏U once 苏E runs short; well above scale 10 (a provincial register)
# the other Jiangsu cities' letters follow, so scale 100 has room for ~80 M plates.
LOCAL_PREFIXES = ("苏E", "苏U", *(f"苏{c}" for c in "ABCDFGHJKLMN"))
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


def _pattern_size(pattern: list[str]) -> int:
    size = 1
    for alphabet in pattern:
        size *= len(alphabet)
    return size


_SIZES = {kind: [_pattern_size(p) for p in patterns] for kind, patterns in FORMATS.items()}
_OFFSETS = {kind: np.cumsum([0, *sizes]) for kind, sizes in _SIZES.items()}
_CODES = {
    kind: [[np.array([ord(c) for c in a], dtype=np.uint32) for a in p] for p in patterns]
    for kind, patterns in FORMATS.items()
}


def format_size(kind: str) -> int:
    return int(_OFFSETS[kind][-1])


class PlateBook:
    """Hands out unique plate numbers per (prefix, format) and formats them.

    A bitmap per space records used numbers, so each draw costs O(n) whatever has been drawn
    before: thousands of small draws (one per year, segment and prefix) stay cheap.
    """

    def __init__(self, rng: np.random.Generator):
        self._rng = rng
        self._used: dict[tuple[str, str], np.ndarray] = {}  # bitmap per space
        self._count: dict[tuple[str, str], int] = {}

    def draw(self, kind: str, n: int, prefix: str = "苏E") -> np.ndarray:
        """`n` plates of one format; local plates overflow from 苏E into 苏U, then into the other
        Jiangsu letters, each filled to MAX_FILL (the last one to the brim)."""
        prefixes = LOCAL_PREFIXES if prefix == LOCAL_PREFIXES[0] else (prefix,)
        size = format_size(kind)
        parts, remaining = [], n
        for candidate in prefixes:
            used = self._count.get((candidate, kind), 0)
            room = max(int(size * MAX_FILL) - used, 0)
            take = remaining if candidate == prefixes[-1] else min(remaining, room)
            if take > size - used:
                raise ValueError(f"plate space {candidate} {kind} exhausted")
            if take:
                parts.append(format_plates(candidate, kind, self._fresh(candidate, kind, take)))
            remaining -= take
            if not remaining:
                break
        return np.concatenate(parts) if parts else np.empty(0, f"<U{PLATE_WIDTH}")

    def _fresh(self, prefix: str, kind: str, n: int) -> np.ndarray:
        """`n` distinct unused numbers, in draw order (rejection sampling on the bitmap)."""
        key = (prefix, kind)
        size = format_size(kind)
        if key not in self._used:
            self._used[key] = np.zeros(size, dtype=bool)
        used = self._used[key]
        found = np.empty(0, np.int64)
        while found.size < n:
            free_share = 1 - (self._count.get(key, 0) + found.size) / size
            batch = self._rng.integers(0, size, int((n - found.size) / free_share * 1.2) + 8)
            batch = batch[~used[batch]]
            _, first = np.unique(batch, return_index=True)
            batch = batch[np.sort(first)]
            batch = batch[~np.isin(batch, found, assume_unique=True)]
            found = np.concatenate([found, batch])
        found = found[:n]
        used[found] = True
        self._count[key] = self._count.get(key, 0) + n
        return found


def format_plates(prefix: str, kind: str, numbers: np.ndarray) -> np.ndarray:
    """Plate strings for `numbers` of one (prefix, format) space."""
    numbers = np.asarray(numbers, dtype=np.int64)
    out = np.zeros((numbers.size, PLATE_WIDTH), dtype=np.uint32)
    for i, char in enumerate(prefix):
        out[:, i] = ord(char)
    offsets = _OFFSETS[kind]
    which = np.searchsorted(offsets, numbers, side="right") - 1
    for index, pattern in enumerate(_CODES[kind]):
        single = len(_CODES[kind]) == 1
        rows = np.arange(numbers.size) if single else np.flatnonzero(which == index)
        if not rows.size:
            continue
        local = numbers[rows] - offsets[index]
        for position in range(len(pattern) - 1, -1, -1):
            alphabet = pattern[position]
            out[rows, len(prefix) + position] = alphabet[local % alphabet.size]
            local //= alphabet.size
    return out.view(f"<U{PLATE_WIDTH}").ravel()
