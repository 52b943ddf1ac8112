"""The date spellings of sources.md, parsed vectorised.

Accepted: `2021-03-05`, `2021/3/5`, `20210305`, `2021年3月5日` and Excel serial numbers
(days since 1899-12-30, the Excel 1900 date system). Anything else parses to null, and the
caller's row rule sends a non-blank unparseable value to quarantine.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

EXCEL_EPOCH = dt.date(1899, 12, 30)
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2099, 12, 31)

_YMD_PATTERNS = (
    r"^(\d{4})-(\d{1,2})-(\d{1,2})$",
    r"^(\d{4})/(\d{1,2})/(\d{1,2})$",
    r"^(\d{4})年(\d{1,2})月(\d{1,2})日$",
    r"^(\d{4})(\d{2})(\d{2})$",
)
_SERIAL_PATTERN = r"^(\d{1,5})(?:\.\d+)?$"


def _from_parts(text: pl.Expr, pattern: str) -> pl.Expr:
    year = text.str.extract(pattern, 1)
    month = text.str.extract(pattern, 2).str.zfill(2)
    day = text.str.extract(pattern, 3).str.zfill(2)
    iso = pl.concat_str([year, month, day], separator="-")
    return iso.str.to_date("%Y-%m-%d", strict=False)


def parse_date_expr(expr: pl.Expr) -> pl.Expr:
    """A Date expression; null for blank or unrecognised spellings."""
    text = expr.str.strip_chars()
    serial_days = text.str.extract(_SERIAL_PATTERN, 1).cast(pl.Int64, strict=False)
    from_serial = pl.lit(EXCEL_EPOCH) + pl.duration(days=serial_days)
    candidates = [_from_parts(text, pattern) for pattern in _YMD_PATTERNS]
    parsed = pl.coalesce(*candidates, from_serial.cast(pl.Date))
    return pl.when(parsed.is_between(EARLIEST, LATEST)).then(parsed).otherwise(None)
