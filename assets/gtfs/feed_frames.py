"""gtfs-kit's pandas tables → typed polars frames of raw.gtfs_<table>, keyed and with lineage.

Every raw.gtfs_* table has the same leading keys (feed_version = sha256 of the zip, feed_name)
and the lineage columns every raw table carries (docs/raw_tables.md). Columns gtfs-kit does not
type are kept, as text, in the `_extra` JSON object. Every text column and `_extra` are scrubbed
of identifier-looking values (a plate in a stop name, a VIN in a trip id) as each frame is
built (`identifier_scrub`); ids are scrubbed alike in every table, so references still hold.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import polars as pl

from assets.gtfs.tables import RENAMED_COLUMNS, spec_columns
from assets.ingest.identifier_scrub import scrub_columns

FEED_NAME_PATTERN = re.compile(r"^(?P<name>.+?)(?:_\d{8})?\.zip$", re.IGNORECASE)
LINEAGE = {
    "_extra": pl.String,
    "_source_file": pl.String,
    "_source_sha256": pl.String,
    "_file_date": pl.Date,
    "_row_number": pl.Int64,
    "_loaded_at": pl.Datetime("us"),
}


@dataclass(frozen=True)
class FeedKeys:
    feed_version: str
    feed_name: str
    source_file: str
    file_date: dt.date | None
    loaded_at: dt.datetime
    pseudonym_key: bytes = b""  # for identifier-looking values in the feed's text


def feed_name_of(file_name: str) -> str:
    """`taicang_bus_20200615.zip` → `taicang_bus`."""
    name = Path(file_name).name
    match = FEED_NAME_PATTERN.match(name)
    return match.group("name") if match else Path(name).stem


def raw_schema(table: str) -> dict[str, pl.DataType]:
    return {"feed_version": pl.String, "feed_name": pl.String, **spec_columns(table), **LINEAGE}


def empty_raw_frame(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=raw_schema(table))


def raw_frame(table: str, frame: pd.DataFrame | None, keys: FeedKeys) -> pl.DataFrame:
    """The table's records in raw.gtfs_<table> shape (empty frame when the file is absent).

    A record's `_row_number` is its pandas index + 1: the reader numbers records from 0 on
    across chunks, and a blank record dropped from a chunk leaves its number unused."""
    if frame is None or frame.empty:
        return empty_raw_frame(table)
    frame = frame.rename(columns=RENAMED_COLUMNS.get(table, {}))
    columns = spec_columns(table)
    extra_names = [c for c in frame.columns if c not in columns]
    data = pl.from_pandas(frame[[c for c in frame.columns if c in columns]].reset_index(drop=True))
    extras = _extra_json(frame[extra_names]) if extra_names else pl.lit("{}")
    data = data.with_columns(
        pl.lit(keys.feed_version).alias("feed_version"),
        pl.lit(keys.feed_name).alias("feed_name"),
        extras.alias("_extra") if isinstance(extras, pl.Expr) else extras,
        pl.lit(keys.source_file).alias("_source_file"),
        pl.lit(keys.feed_version).alias("_source_sha256"),
        pl.lit(keys.file_date, dtype=pl.Date).alias("_file_date"),
        pl.Series(frame.index.to_numpy() + 1, dtype=pl.Int64).alias("_row_number"),
        pl.lit(keys.loaded_at, dtype=pl.Datetime("us")).alias("_loaded_at"),
    )
    missing = [pl.lit(None, dtype=dtype).alias(c) for c, dtype in columns.items() if c not in data]
    data = data.with_columns(missing).select(
        [pl.col(c).cast(dtype) for c, dtype in raw_schema(table).items()]
    )
    texts = [c for c, dtype in columns.items() if dtype == pl.String]
    return scrub_columns(data, [*texts, "_extra"], keys.pseudonym_key)


def _extra_json(extra: pd.DataFrame) -> pl.Series:
    text = pl.from_pandas(extra.astype("string").reset_index(drop=True))
    return text.select(pl.struct(text.columns).struct.json_encode().alias("_extra")).to_series()
