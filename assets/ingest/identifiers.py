"""Plates and VINs: normalisation and the format rules of docs/sources.md, vectorised.

Plates are normalised before hashing (full-width→half-width, upper case, spaces and `·`
removed), so `苏E·D12345` and `苏ED12345` are one vehicle in every source.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from assets.ingest.columns import fold_width_expr

PLATE_SEPARATORS = [" ", "·", "•", "・", "\u00b7", "-"]
_PLATE_HEAD = r"^[\p{Han}][A-Z]"
ORDINARY_PLATE = _PLATE_HEAD + r"[A-Z0-9\p{Han}]{5}$"
NEW_ENERGY_PLATE = _PLATE_HEAD + r"[A-Z0-9]{6}$"

VIN_PATTERN = r"^[A-HJ-NPR-Z0-9]{17}$"
_VIN_VALUES = (
    {str(d): d for d in range(10)}
    | dict(zip("ABCDEFGH", range(1, 9), strict=True))
    | dict(zip("JKLMN", range(1, 6), strict=True))
    | {"P": 7, "R": 9}
    | dict(zip("STUVWXYZ", range(2, 10), strict=True))
)
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def normalise_plate_expr(expr: pl.Expr) -> pl.Expr:
    folded = fold_width_expr(expr).str.to_uppercase()
    return folded.str.replace_many(PLATE_SEPARATORS, [""] * len(PLATE_SEPARATORS))


def plate_format_ok_expr(plate: pl.Expr, is_new_energy: pl.Expr) -> pl.Expr:
    """Ordinary plates: 5 characters after province + letter; new-energy plates: 6."""
    return (
        pl.when(is_new_energy)
        .then(plate.str.contains(NEW_ENERGY_PLATE))
        .otherwise(plate.str.contains(ORDINARY_PLATE))
    )


def normalise_vin_expr(expr: pl.Expr) -> pl.Expr:
    return fold_width_expr(expr).str.to_uppercase().str.replace_all(" ", "")


def vin_format_ok_expr(vin: pl.Expr) -> pl.Expr:
    return vin.str.contains(VIN_PATTERN)


def vin_check_digit_ok_expr(vin: pl.Expr) -> pl.Expr:
    """ISO 3779 check digit (position 9); null when the VIN is not well formed."""
    return pl.when(vin_format_ok_expr(vin)).then(
        vin.map_batches(_check_digits_ok, return_dtype=pl.Boolean)
    )


_VALUE_TABLE = np.zeros(256, dtype=np.int16)
for _char, _value in _VIN_VALUES.items():
    _VALUE_TABLE[ord(_char)] = _value


def _check_digits_ok(vins: pl.Series) -> pl.Series:
    """Vectorised over a whole column: 17 ASCII bytes per VIN → weighted sum mod 11."""
    well_formed = vins.str.contains(VIN_PATTERN).fill_null(False)
    result = np.zeros(len(vins), dtype=bool)
    good = vins.filter(well_formed)
    if len(good):
        raw = np.frombuffer(good.str.join("").item().encode("ascii"), dtype=np.uint8)
        digits = _VALUE_TABLE[raw].reshape(-1, 17)  # int16: the sum is at most 9·10·17
        remainder = (digits @ np.array(_VIN_WEIGHTS, dtype=np.int16)) % 11
        expected = np.where(remainder == 10, ord("X"), ord("0") + remainder)
        result[well_formed.to_numpy()] = raw.reshape(-1, 17)[:, 8] == expected
    return pl.Series(vins.name, result).set(~well_formed, None)


def vin_check_digit(vin: str) -> str:
    """Scalar twin of the expression above, for tests and the demo generator."""
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)
