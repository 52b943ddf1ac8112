"""One file through the common steps, whatever its source; returns a FileOutcome.

The steps and their order matter: identifiers are normalised before the rules (plate format
is checked on the normalised plate) and hashed right after them, before anything is written,
so no plaintext plate or VIN reaches a loaded row or a quarantine record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from assets.ingest.columns import Column, map_columns
from assets.ingest.outcome import FileOutcome, FileRejected
from assets.ingest.pseudonym import pseudonymise
from assets.ingest.row_rules import FAILED_COLUMN, FAILED_REASON, RowRule, apply_rules

MAX_QUARANTINED_SHARE = 0.05
FILE_DATE_PATTERN = re.compile(r"_(\d{8})\.[A-Za-z]+$")


@dataclass
class SourceFormat:
    """How one source's records become rows of one raw table."""

    source: str
    table: str
    columns: list[Column]
    identifiers: dict[str, Callable[[pl.Expr], pl.Expr]] = field(default_factory=dict)
    prepare: Callable[[pl.DataFrame], pl.DataFrame] = lambda frame: frame
    output: Callable[[pl.DataFrame], pl.DataFrame] = lambda frame: frame
    warning: pl.Expr | None = None  # rows counted as warnings (loaded, but flagged)


def file_date_from_name(name: str) -> dt.date | None:
    match = FILE_DATE_PATTERN.search(name)
    if not match:
        return None
    try:
        return dt.datetime.strptime(match.group(1), "%Y%m%d").date()
    except ValueError:
        return None


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def new_outcome(source: str, file_name: str, data: bytes) -> FileOutcome:
    return FileOutcome(
        source=source,
        file_name=file_name,
        sha256=sha256_of(data),
        file_date=file_date_from_name(Path(file_name).name),
    )


def ingest_records(
    outcome: FileOutcome,
    text: pl.DataFrame | list[pl.DataFrame],
    fmt: SourceFormat,
    rules: list[RowRule],
    key: bytes,
    loaded_at: dt.datetime,
    row_numbers: pl.Series | None = None,
) -> FileOutcome:
    """Map, normalise, check, hash and split `text` (all-string records) into the outcome.

    `text` may be a one-element list holding the frame: the list is emptied, so the caller
    keeps no reference and the original columns are freed as soon as they are replaced
    (at 5 M records each full copy of the records is about a gigabyte).
    """
    started = time.perf_counter()
    if isinstance(text, list):
        text = text.pop()
    try:
        frame = map_columns(text, fmt.columns, outcome.file_name)
    except FileRejected as error:
        outcome.reject(error)
        return outcome
    del text
    numbers = pl.int_range(1, pl.len() + 1) if row_numbers is None else pl.lit(row_numbers)
    frame = frame.with_columns(numbers.cast(pl.Int64).alias("_row_number"))
    frame = frame.with_columns(
        normalise(pl.col(name)).alias(name) for name, normalise in fmt.identifiers.items()
    )
    frame = apply_rules(fmt.prepare(frame), rules)
    frame = pseudonymise(frame, list(fmt.identifiers), key)
    outcome.rows_read = frame.height
    record_names = [c.name for c in fmt.columns]
    bad = frame.filter(pl.col(FAILED_REASON).is_not_null())
    good = frame.filter(pl.col(FAILED_REASON).is_null())
    del frame  # `good` and `bad` are copies; keep one set of records in memory, not two
    total = outcome.rows_read
    if total and bad.height > MAX_QUARANTINED_SHARE * total:
        share = bad.height / total
        outcome.status = "rejected"
        outcome.reason = (
            f"{outcome.file_name}, column {bad.get_column(FAILED_COLUMN).mode().sort()[0]}: "
            f"{bad.height} of {total} rows ({share:.1%}) broke row rules, "
            f"more than {MAX_QUARANTINED_SHARE:.0%}; first: row "
            f"{bad.get_column('_row_number')[0]} {bad.get_column(FAILED_REASON)[0]}"
        )
        good = good.with_columns(
            pl.lit("(file)").alias(FAILED_COLUMN),
            pl.lit(f"file rejected: {share:.1%} of rows quarantined (> 5%)").alias(FAILED_REASON),
        )
        bad = pl.concat([bad, good]).sort("_row_number")
        good = good.clear()
    outcome.quarantine = quarantine_rows(bad, outcome, record_names)
    if fmt.warning is not None and good.height:
        outcome.warnings = int(good.select(fmt.warning.fill_null(False).sum()).item())
    outcome.loaded = {fmt.table: with_lineage(fmt.output(good), good, outcome, loaded_at)}
    outcome.seconds += time.perf_counter() - started
    return outcome


def quarantine_rows(
    bad: pl.DataFrame, outcome: FileOutcome, record_names: list[str]
) -> pl.DataFrame:
    return bad.select(
        pl.lit(outcome.source).alias("source"),
        pl.lit(outcome.file_name).alias("file_name"),
        pl.col("_row_number").alias("row_number"),
        pl.col(FAILED_COLUMN).alias("column_name"),
        pl.col(FAILED_REASON).alias("reason"),
        pl.struct(record_names).struct.json_encode().alias("raw_record"),
    )


def with_lineage(
    output: pl.DataFrame, good: pl.DataFrame, outcome: FileOutcome, loaded_at: dt.datetime
) -> pl.DataFrame:
    return output.with_columns(
        good.get_column("_extra"),
        pl.lit(outcome.file_name).alias("_source_file"),
        pl.lit(outcome.sha256).alias("_source_sha256"),
        pl.lit(outcome.file_date, dtype=pl.Date).alias("_file_date"),
        good.get_column("_row_number"),
        pl.lit(loaded_at, dtype=pl.Datetime("us")).alias("_loaded_at"),
    )
