"""One file through the common steps, whatever its source; returns a FileOutcome.

The steps and their order matter: identifiers are normalised before the rules (plate format
is checked on the normalised plate) and hashed right after them, before anything is written,
so no plaintext plate or VIN reaches a loaded row or a quarantine record. Every other text
column, `_extra` and the rules' reasons are then scrubbed of identifier-looking values
(`identifier_scrub`), in this one place for every source and rule.
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

from assets.ingest.blank_records import drop_blank_records
from assets.ingest.columns import Column, map_columns
from assets.ingest.identifier_scrub import scrub_columns
from assets.ingest.outcome import FileOutcome, FileRejected
from assets.ingest.pseudonym import pseudonymise
from assets.ingest.row_rules import (
    FAILED_COLUMN,
    FAILED_REASON,
    RowRule,
    apply_rules,
    broke_a_rule,
)

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


def check_records(
    text: pl.DataFrame | list[pl.DataFrame],
    fmt: SourceFormat,
    file_name: str,
    rules: list[RowRule],
    key: bytes,
    first_row: int = 1,
    row_numbers: pl.Series | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """Map, normalise, check and hash `text` (all-string records): (good, bad) records and
    the number of blank records skipped (`blank_records`).

    Raises FileRejected when the header lacks a required column. Records are numbered from
    `first_row` (a slice of a file starts after the rows before it), blank ones included,
    unless `row_numbers` are given. `text` may be a one-element list holding the frame: the
    list is emptied, so the caller keeps no reference and the original columns are freed as
    soon as they are replaced (at 5 M records each full copy of the records is about a
    gigabyte).
    """
    if isinstance(text, list):
        text = text.pop()
    if row_numbers is None:
        row_numbers = pl.int_range(first_row, first_row + text.height, eager=True)
    text, row_numbers, blank = drop_blank_records(text, row_numbers.cast(pl.Int64))
    frame = map_columns(text, fmt.columns, file_name)
    del text
    frame = frame.with_columns(row_numbers.alias("_row_number"))
    frame = frame.with_columns(
        normalise(pl.col(name)).alias(name) for name, normalise in fmt.identifiers.items()
    )
    frame = apply_rules(fmt.prepare(frame), rules)
    frame = without_quoted_identifiers(frame, list(fmt.identifiers))
    frame = pseudonymise(frame, list(fmt.identifiers), key)
    texts = [c.name for c in fmt.columns if c.name not in fmt.identifiers]
    frame = scrub_columns(frame, [*texts, "_extra", FAILED_REASON], key)
    bad = frame.filter(broke_a_rule())
    good = frame.filter(~broke_a_rule())
    return good, bad, blank


def without_quoted_identifiers(frame: pl.DataFrame, identifiers: list[str]) -> pl.DataFrame:
    """Reasons never show a value of an identifier column, whatever a rule quoted: the
    value (normalised, as the rules saw it) is replaced by the column's name in <>.

    The scrub after hashing catches what looks like a plate, VIN or ID number; this catches
    the rest (a malformed plate, a respondent id). A value is replaced where it stands
    quoted, as rules quote values, and anywhere once it has 5 characters or more (a bare
    "1" would otherwise eat every "row 1"). Rows are few: only those whose reason contains
    their own identifier value are rewritten, one by one."""
    for name in identifiers:
        value = pl.col(name)
        quoting = frame.select(
            (pl.col(FAILED_REASON).str.contains(value, literal=True) & (value != ""))
            .fill_null(False)
            .arg_true()
        ).to_series()
        if quoting.is_empty():
            continue
        reasons = frame.get_column(FAILED_REASON).gather(quoting).to_list()
        values = frame.get_column(name).gather(quoting).to_list()
        cleaned = [_unquoted(r, v, f"<{name}>") for r, v in zip(reasons, values, strict=True)]
        frame = frame.with_columns(
            frame.get_column(FAILED_REASON).scatter(quoting, pl.Series(cleaned, dtype=pl.String))
        )
    return frame


def _unquoted(reason: str, value: str, shown: str) -> str:
    reason = reason.replace(f"'{value}'", f"'{shown}'")
    return reason.replace(value, shown) if len(value) >= 5 else reason


@dataclass
class BadRowTally:
    """What the 5 % rule needs to know about a file's bad rows, counted slice by slice."""

    rows: int = 0  # records read: blank records are not rows
    bad: int = 0
    blank: int = 0  # blank records skipped
    by_column: dict[str, int] = field(default_factory=dict)
    first: tuple[int, str] | None = None  # (row number, reason) of the first bad row

    def add(self, rows: int, bad: pl.DataFrame, blank: int = 0) -> None:
        self.rows += rows
        self.bad += bad.height
        self.blank += blank
        for column, count in bad.get_column(FAILED_COLUMN).value_counts().iter_rows():
            self.by_column[column] = self.by_column.get(column, 0) + count
        if bad.height and self.first is None:
            first = bad.sort("_row_number").row(0, named=True)
            self.first = (first["_row_number"], first[FAILED_REASON])

    @property
    def too_many(self) -> bool:
        return bool(self.rows) and self.bad > MAX_QUARANTINED_SHARE * self.rows

    @property
    def share(self) -> float:
        return self.bad / self.rows if self.rows else 0.0

    def rejection_reason(self, file_name: str) -> str:
        most = max(self.by_column.values())
        column = min(c for c, n in self.by_column.items() if n == most)
        row, reason = self.first
        return (
            f"{file_name}, column {column}: {self.bad} of {self.rows} rows ({self.share:.1%}) "
            f"broke row rules, more than {MAX_QUARANTINED_SHARE:.0%}; first: row {row} {reason}"
        )

    def rejected_row_marks(self) -> list[pl.Expr]:
        """The column and reason given to a rejected file's rows that broke no rule."""
        return [
            pl.lit("(file)").alias(FAILED_COLUMN),
            pl.lit(f"file rejected: {self.share:.1%} of rows quarantined (> 5%)").alias(
                FAILED_REASON
            ),
        ]


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

    `text` may be a one-element list holding the frame (see `check_records`)."""
    started = time.perf_counter()
    try:
        good, bad, blank = check_records(text, fmt, outcome.file_name, rules, key, 1, row_numbers)
    except FileRejected as error:
        outcome.reject(error)
        return outcome
    outcome.rows_read = good.height + bad.height
    outcome.rows_blank += blank
    record_names = [c.name for c in fmt.columns]
    tally = BadRowTally()
    tally.add(outcome.rows_read, bad)
    if tally.too_many:
        outcome.status = "rejected"
        outcome.reason = tally.rejection_reason(outcome.file_name)
        good = good.with_columns(tally.rejected_row_marks())
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
