"""Vehicle identification numbers (ISO 3779 / GB 16735) with a valid check digit.

Position 9 is the check digit: transliterate, weight, sum, modulo 11 (10 → `X`). VINs are built
as a code-point array so a million of them cost milliseconds; serials come from a unique index,
so two vehicles never share a VIN.
"""

from __future__ import annotations

import numpy as np

VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # I, O, Q never appear
YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"  # model years 1980–2009, then repeating
ID_SPACE = 33_000_000  # plant code (33 symbols) × six-digit serial
WEIGHTS = np.array([8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2], dtype=np.int64)
_TRANSLITERATION = (
    dict(zip("ABCDEFGH", range(1, 9), strict=True))
    | dict(zip("JKLMN", range(1, 6), strict=True))
    | {"P": 7, "R": 9}
    | dict(zip("STUVWXYZ", range(2, 10), strict=True))
)
_VALUE = np.zeros(128, dtype=np.int64)
for _char, _value in _TRANSLITERATION.items():
    _VALUE[ord(_char)] = _value
for _digit in range(10):
    _VALUE[ord(str(_digit))] = _digit

# World manufacturer identifiers of makers common in Jiangsu fleets, by vehicle class.
WMI = {
    "car": ("LSV", "LFV", "LSG", "LVS", "LGB", "LHG", "LVG", "LBV", "LB3", "LGW", "LRW", "LC0"),
    "bus": ("LZY", "LKL", "LA6", "LGX", "LZZ"),
    "truck": ("LFW", "LZG", "LGA", "LJ1", "LVB"),
    "motorcycle": ("LAE", "LCE", "LBP"),
}


def check_digits(codes: np.ndarray) -> np.ndarray:
    """Check-digit code points for an (n, 17) array of VIN code points."""
    total = (_VALUE[codes.astype(np.int64)] * WEIGHTS).sum(axis=1) % 11
    return np.where(total == 10, ord("X"), total + ord("0")).astype(np.uint32)


def make_vins(
    rng: np.random.Generator, vehicle_class: str, model_years: np.ndarray, unique_ids: np.ndarray
) -> np.ndarray:
    """One VIN per row; `unique_ids` (distinct integers below 33 M) make them distinct."""
    n = model_years.size
    alphabet = np.array([ord(c) for c in VIN_ALPHABET], dtype=np.uint32)
    codes = np.zeros((n, 17), dtype=np.uint32)
    makers = np.array([[ord(c) for c in w] for w in WMI[vehicle_class]], dtype=np.uint32)
    codes[:, 0:3] = makers[rng.integers(0, len(makers), n)]
    codes[:, 3:8] = alphabet[rng.integers(0, alphabet.size, (n, 5))]
    year_codes = np.array([ord(c) for c in YEAR_CODES], dtype=np.uint32)
    codes[:, 9] = year_codes[(np.asarray(model_years) - 1980) % len(YEAR_CODES)]
    # An affine bijection of [0, 33 M) scatters serials, so consecutive vehicles do not get
    # consecutive VINs while distinct ids still give distinct VINs.
    ids = (np.asarray(unique_ids, dtype=np.int64) * 7_368_787 + 1_234_567) % ID_SPACE
    codes[:, 10] = alphabet[(ids // 1_000_000) % alphabet.size]
    serial = ids % 1_000_000
    for position in range(16, 10, -1):
        codes[:, position] = serial % 10 + ord("0")
        serial //= 10
    codes[:, 8] = check_digits(codes)
    return codes.view("<U17").ravel()
