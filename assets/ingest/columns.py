"""Column specs and header matching: exports rename, reorder and pad their headers.

A header matches after trimming and full-width→half-width folding; either its Chinese header or
the canonical English name is accepted. Unknown columns are kept, as JSON, in `_extra`.
A header that appears twice, matched the same way (or a column given both its Chinese and its
English name), makes the file ambiguous: which of the two is the plate? The file is rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from assets.ingest.outcome import FileRejected

FULL_WIDTH = [chr(code) for code in range(0xFF01, 0xFF5F)] + ["\u3000"]
HALF_WIDTH = [chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)] + [" "]
_FOLD_TABLE = str.maketrans(dict(zip(FULL_WIDTH, HALF_WIDTH, strict=True)))


@dataclass(frozen=True)
class Column:
    """One column of a source format. `required` = the header must be present."""

    name: str
    header: str
    required: bool = True


def fold_width(text: str) -> str:
    return text.translate(_FOLD_TABLE)


def normalise_header(header: str) -> str:
    return fold_width(header).strip().replace(" ", "").lower()


FULL_WIDTH_PATTERN = "[\uff01-\uff5e\u3000]"


def fold_width_expr(expr: pl.Expr) -> pl.Expr:
    """Vectorised full-width→half-width folding and trimming; blanks become null."""
    folded = expr.str.replace_many(FULL_WIDTH, HALF_WIDTH).str.strip_chars()
    return pl.when(folded == "").then(None).otherwise(folded)


def fold_frame_columns(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Fold and trim `names`; the full-width replacement runs only on columns that need it."""
    needs = frame.select(
        pl.col(n).str.contains(FULL_WIDTH_PATTERN).any().alias(n) for n in names
    ).row(0)
    expressions = []
    for name, has_full_width in zip(names, needs, strict=True):
        if has_full_width:
            expressions.append(fold_width_expr(pl.col(name)).alias(name))
        else:
            trimmed = pl.col(name).str.strip_chars()
            expressions.append(pl.when(trimmed == "").then(None).otherwise(trimmed).alias(name))
    return frame.with_columns(expressions)


# How readers name a header's second appearance (polars: `x_duplicated_0`) and a blank header
# (polars: "", then `_duplicated_0`; the xlsx reader: `_blank_3`).
_REPEATED = re.compile(r"^(?P<first>.*)_duplicated_\d+$")
_BLANK = re.compile(r"^(_blank_\d+)?$")


def as_written(headers: list[str]) -> list[str]:
    """The headers as the file wrote them, undoing the reader's renaming of repeats."""
    written = []
    for header in headers:
        repeated = _REPEATED.match(header)
        if repeated and repeated.group("first") in written:
            header = repeated.group("first")
        written.append(header)
    return written


def reject_duplicated_headers(headers: list[str], columns: list[Column], file_name: str) -> None:
    """FileRejected naming the first header that appears twice (blank headers aside)."""
    wanted = {}
    for column in columns:
        wanted[normalise_header(column.header)] = column
        wanted[normalise_header(column.name)] = column
    first_seen: dict[str, int] = {}
    for position, header in enumerate(as_written(headers), start=1):
        if _BLANK.match(header) or not normalise_header(header):
            continue
        column = wanted.get(normalise_header(header))
        same = column.name if column else normalise_header(header)
        if same in first_seen:
            named = f"{column.header} ({column.name})" if column else fold_width(header).strip()
            raise FileRejected(
                file_name,
                f"header appears twice (columns {first_seen[same]} and {position}): "
                "the file is ambiguous",
                column=named,
            )
        first_seen[same] = position


def map_columns(frame: pl.DataFrame, columns: list[Column], file_name: str) -> pl.DataFrame:
    """Rename headers to canonical names, reject missing required ones, pack extras.

    Returns a frame with every spec column (absent optional ones as null), the original
    header of each spec column recorded for quarantine JSON, and an `_extra` JSON column.
    Raises FileRejected when a header appears twice or a required one is missing.
    """
    reject_duplicated_headers(frame.columns, columns, file_name)
    wanted = {}
    for column in columns:
        wanted[normalise_header(column.header)] = column.name
        wanted[normalise_header(column.name)] = column.name
    renames, extras, seen = {}, [], set()
    for header in frame.columns:
        name = wanted.get(normalise_header(header))
        if name and name not in seen:
            renames[header] = name
            seen.add(name)
        else:
            extras.append(header)
    missing = [c for c in columns if c.required and c.name not in seen]
    if missing:
        names = ", ".join(f"{c.header} ({c.name})" for c in missing)
        raise FileRejected(file_name, "required column missing", column=names)
    if extras:
        extra_json = pl.struct([pl.col(h).alias(fold_width(h).strip()) for h in extras])
        extra_json = extra_json.struct.json_encode()
    else:
        extra_json = pl.lit("{}")
    mapped = frame.select(
        *[pl.col(header).alias(name) for header, name in renames.items()],
        *[pl.lit(None, dtype=pl.String).alias(c.name) for c in columns if c.name not in seen],
        extra_json.alias("_extra"),
    )
    return fold_frame_columns(mapped, [c.name for c in columns]).select(
        [c.name for c in columns] + ["_extra"]
    )
