"""The date spellings of docs/sources.md, parsed vectorised.

Accepted: `2021-03-05`, `2021/3/5`, `20210305`, `2021年3月5日` and Excel serial numbers
(days since 1899-12-30, the Excel 1900 date system). Anything else parses to null, and the
caller's row rule sends a non-blank unparseable value to quarantine.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

EXCEL_EPOCH = dt.date(1899, 12, 30)
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2099, 12, 31)

# chrono (polars' date parser) accepts 1- or 2-digit months and days for %m and %d.
_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日")
_SERIAL_PATTERN = r"^(\d{1,5})(?:\.\d+)?$"


def parse_date_expr(expr: pl.Expr) -> pl.Expr:
    """A Date expression; null for blank or unrecognised spellings.

    Each spelling is tried with polars' native parser (no per-row Python, no regex capture
    groups), which keeps a 5-million-row registrations file fast.
    """
    text = expr.str.strip_chars()
    candidates = [text.str.to_date(fmt, strict=False) for fmt in _FORMATS]
    compact = pl.when(text.str.contains(r"^\d{8}$")).then(text.str.to_date("%Y%m%d", strict=False))
    serial_days = text.str.extract(_SERIAL_PATTERN, 1).cast(pl.Int64, strict=False)
    from_serial = (pl.lit(EXCEL_EPOCH) + pl.duration(days=serial_days)).cast(pl.Date)
    parsed = pl.coalesce(*candidates, compact, from_serial)
    return pl.when(parsed.is_between(EARLIEST, LATEST)).then(parsed).otherwise(None)


def with_parsed_dates(frame: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame:
    """`frame` plus `<column>__date` for each column: parse_date_expr's dates, with each
    distinct text parsed once.

    Dates repeat: millions of registrations hold tens of thousands of distinct date texts,
    so parsing those and mapping them back is far cheaper than parsing every row."""
    derived = []
    for column in columns:
        distinct = frame.get_column(column).unique().drop_nulls()
        parsed = pl.DataFrame({"text": distinct}).select(parse_date_expr(pl.col("text")))
        derived.append(
            pl.col(column)
            .replace_strict(distinct, parsed.to_series(), default=None, return_dtype=pl.Date)
            .alias(f"{column}__date")
        )
    return frame.with_columns(derived)
