"""Identifiers hidden in any text: plates, VINs and resident ID numbers, found and pseudonymised.

The identifier columns are hashed whole (`pseudonym.py`). Any other text may hold one too: a
plate typed into the wrong column, an extra column of VINs, a note quoting an ID number, a
quarantine reason quoting a value, a GTFS stop name. docs/sources.md asks that such values be
pseudonymised before anything is written, so every text a source brings in passes through
`scrub_series` (or `scrub_text`) on its way to the warehouse, the logs or the site.

A found identifier becomes a marker, `[plate:<pseudonym>]`, `[vin:<pseudonym>]` or
`[resident_id:<pseudonym>]`. The pseudonym is the HMAC of the same normalised form the
identifier columns hash, so a plate in `_extra` carries the same pseudonym as in
`plate_pseudonym`; the kind stays readable so a reviewer knows what was taken out. A marker
never looks like an identifier itself, so scrubbing twice changes nothing.

What is looked for, as written (full-width forms included, any letter case):
- a plate: a province abbreviation, a letter, then 5 or 6 letters or digits (an ordinary plate
  may end in 挂 学 警 港 澳 领 使); one separator (space, ·, •, ・, -, or their full-width forms)
  may follow the province and one the letter. Nothing is required after it: a plate glued to
  more characters still counts, since a false positive only costs a pseudonym in free text.
- a VIN: exactly 17 of [A-HJ-NPR-Z0-9], at least one letter and one digit, not glued to other
  Latin letters or digits (a 64-digit sha256 hex holds many 17-character windows but is not
  a VIN). The check digit is not required: real exports carry VINs whose check digit fails.
- a resident ID number: 17 digits and a digit or X, not glued to other Latin letters or digits,
  with a birth date (1900-2099) that exists and a valid ISO 7064 MOD 11-2 check character.
  Old 15-digit numbers are not looked for: without a check character any 15-digit number (an
  order number, a timestamp) would look like one, and none have been issued since 2004.
A VIN or ID number written with spaces inside is not recognised (it reads as several codes).

Vectorised: a cheap `str.contains` finds the few values that may hold one; only those are cut
into candidate pieces, classified and reassembled.
"""

from __future__ import annotations

import hashlib
import hmac

import polars as pl

from assets.ingest.columns import FULL_WIDTH, HALF_WIDTH
from assets.ingest.identifiers import normalise_plate_expr, normalise_vin_expr
from assets.ingest.pseudonym import current_key, pseudonymise

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LETTER = "A-Za-zＡ-Ｚａ-ｚ"
_ALNUM = "0-9" + _LETTER + "０-９"
_SEPARATOR = r" \u00b7•・\-\u3000\uff0d\uff65"
PLATE_TEXT = (
    f"[{PROVINCES}][{_SEPARATOR}]?[{_LETTER}][{_SEPARATOR}]?"
    f"[{_ALNUM}]{{4}}(?:[{_ALNUM}]{{1,2}}|[挂学警港澳领使])"
)
# A superset of what can hold an identifier: 17 letters/digits in a row, or a plate.
MAY_HOLD = f"[{_ALNUM}]{{17}}|{PLATE_TEXT}"
# Candidates: a maximal run of 17 or more letters/digits (with the character before it, so the
# run is known to start there), or a plate. Each is cut out between two sentinels.
_CANDIDATE = f"(^|[^{_ALNUM}])([{_ALNUM}]{{17,}})|({PLATE_TEXT})"
_SENTINEL = "\x00"
_CUT = "${1}" + _SENTINEL + "${2}${3}" + _SENTINEL

VIN_TEXT = r"^[A-HJ-NPR-Z0-9]{17}$"
RESIDENT_ID_TEXT = r"^[0-9]{17}[0-9X]$"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Below this many distinct identifiers, Python's hmac beats starting DuckDB.
_DUCKDB_FROM = 2000


def _folded(piece: pl.Expr) -> pl.Expr:
    return piece.str.replace_many(FULL_WIDTH, HALF_WIDTH).str.to_uppercase()


def resident_id_ok_expr(folded: pl.Expr) -> pl.Expr:
    """18 characters (already folded to half-width upper case): shape, birth date, check."""
    total = pl.sum_horizontal(
        folded.str.slice(i, 1).cast(pl.Int32, strict=False) * weight
        for i, weight in enumerate(_ID_WEIGHTS)
    )
    expected = (total % 11).replace_strict(dict(enumerate(_ID_CHECK)), return_dtype=pl.String)
    born = folded.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    return (
        folded.str.contains(RESIDENT_ID_TEXT)
        & born.dt.year().is_between(1900, 2099)
        & (folded.str.slice(17, 1) == expected)
    )


def _kinds(candidates: pl.DataFrame) -> pl.DataFrame:
    """`candidates` (a `piece` column) with `kind` ('plate', 'vin', 'resident_id') and the
    normalised `value` the identifier columns would hash, for the pieces that are one.

    A piece that starts with a province character was cut out as a plate; the others are runs
    of letters and digits, of which only the 17- and 18-character ones can be identifiers."""
    piece = pl.col("piece")
    plates = candidates.filter(piece.str.contains(f"^[{PROVINCES}]")).with_columns(
        pl.lit("plate").alias("kind"), normalise_plate_expr(piece).alias("value")
    )
    runs = candidates.with_columns(_folded(piece).alias("value"))
    vins = runs.filter(
        piece.str.len_chars().eq(17)
        & pl.col("value").str.contains(VIN_TEXT)
        & pl.col("value").str.contains("[0-9]")
        & pl.col("value").str.contains("[A-Z]")
    ).with_columns(pl.lit("vin").alias("kind"), normalise_vin_expr(piece).alias("value"))
    ids = runs.filter(piece.str.len_chars().eq(18))
    ids = ids.filter(resident_id_ok_expr(pl.col("value"))).with_columns(
        pl.lit("resident_id").alias("kind")
    )
    columns = [*candidates.columns, "kind", "value"]
    return pl.concat([plates.select(columns), vins.select(columns), ids.select(columns)])


def pseudonyms(values: pl.Series, key: bytes) -> pl.DataFrame:
    """(value, pseudonym) for each distinct value: the HMAC the identifier columns use."""
    distinct = values.drop_nulls().unique().to_frame("value")
    if distinct.height >= _DUCKDB_FROM:
        hashed = pseudonymise(distinct.with_columns(pl.col("value").alias("h")), ["h"], key)
        return hashed.rename({"h": "pseudonym"})
    return distinct.with_columns(
        pl.Series(
            "pseudonym",
            [hmac.new(key, v.encode(), hashlib.sha256).hexdigest() for v in distinct["value"]],
            dtype=pl.String,
        )
    )


def scrub_series(values: pl.Series, key: bytes) -> pl.Series:
    """`values` with every identifier-looking substring replaced by its marker."""
    if values.dtype != pl.String or values.is_empty():
        return values
    may_hold = values.str.contains(MAY_HOLD).fill_null(False)
    if not may_hold.any():
        return values
    cut = values.filter(may_hold).str.replace_all(_SENTINEL, "", literal=True)
    pieces = (
        pl.DataFrame({"row": may_hold.arg_true(), "piece": cut.str.replace_all(_CANDIDATE, _CUT)})
        .with_columns(pl.col("piece").str.split(_SENTINEL))
        .with_columns(
            (pl.col("piece").list.len().cum_sum() - pl.col("piece").list.len()).alias("first")
        )
        .explode("piece")
        .with_row_index("at")
    )
    # Pieces alternate: text outside candidates at even positions within a value, candidates
    # at odd ones.
    is_candidate = (pl.col("at").cast(pl.Int64) - pl.col("first")) % 2 == 1
    short = pl.col("piece").str.len_chars() <= 18
    found = _kinds(pieces.filter(is_candidate & short).select("at", "piece"))
    if found.is_empty():
        return values
    found = found.join(pseudonyms(found.get_column("value"), key), on="value", how="left")
    markers = found.select("at", pl.format("[{}:{}]", "kind", "pseudonym").alias("marker"))
    rebuilt = (
        pieces.join(markers, on="at", how="left", maintain_order="left")
        .group_by("row", maintain_order=True)
        .agg(pl.coalesce("marker", "piece").str.join(""))
    )
    return values.clone().scatter(rebuilt.get_column("row"), rebuilt.get_column("marker"))


def scrub_columns(frame: pl.DataFrame, names: list[str], key: bytes) -> pl.DataFrame:
    """Scrub the named text columns of `frame` (absent or non-text ones are left alone)."""
    present = [n for n in names if n in frame.columns and frame.schema[n] == pl.String]
    return frame.with_columns(scrub_series(frame.get_column(n), key) for n in present)


def scrub_text(text: str | None, key: bytes | None = None) -> str | None:
    """One message (a rejection reason, a notice, a log line) scrubbed; `key` defaults to the
    run's pseudonym key."""
    if text is None:
        return None
    if key is None:
        key = current_key()
    return scrub_series(pl.Series([text], dtype=pl.String), key).item()
