"""One large CSV file through the common steps, slice by slice, with memory bounded by a slice.

The result is the one `file_ingest.ingest_records` gives for the whole file (tested row for
row): the same rows loaded, the same quarantine rows, counts and rejection reason. Rows are
numbered across slices; the 5 % rule is judged on the whole file, so loaded and quarantined
rows wait in a spool (`spool.SpooledFrame`) until the file is judged. A rejected file (rare)
is read a second time to turn its good rows into quarantine rows, rather than keeping a
quarantine-ready copy of every good row on the first pass.

Formats with a rule that compares rows with each other (`RowRule.whole_file`, e.g. a key
unique within the file) are not sliced; their files are small ledgers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import time
from functools import lru_cache
from pathlib import Path

import polars as pl

from assets.ingest.csv_slices import file_encoding, utf8_record_slices
from assets.ingest.file_ingest import (
    BadRowTally,
    SourceFormat,
    check_records,
    file_date_from_name,
    quarantine_rows,
    with_lineage,
)
from assets.ingest.outcome import QUARANTINE_SCHEMA, FileOutcome, FileRejected
from assets.ingest.row_rules import RowRule
from assets.ingest.spool import SpooledFrame
from assets.ingest.text_files import Undecodable, parse_csv
from pipelines import progress

# Files above this size are ingested in slices. The registrations export at demo scale 10
# (385 MB, 5 M records) peaked at 3.6 GB read whole.
SLICED_ABOVE_BYTES = 128 * 1024 * 1024
SLICE_BYTES = 64 * 1024 * 1024  # about 800 k registrations records


def can_slice(rules: list[RowRule]) -> bool:
    return not any(rule.whole_file for rule in rules)


def file_sha256(path: Path) -> str:
    """The file's sha256, computed once per version of the file in this process.

    `source_run.discover` hashes every file to skip copies, and the sliced ingest needs the
    same digest for lineage, and a large export should be read once. A file rewritten in
    between has a new inode, size or nanosecond mtime, so it is hashed again."""
    status = path.stat()
    return _sha256_of_version(
        str(path.resolve()), status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns
    )


@lru_cache(maxsize=4096)
def _sha256_of_version(path: str, device: int, inode: int, size: int, mtime_ns: int) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _one_pass(
    path: Path,
    outcome: FileOutcome,
    fmt: SourceFormat,
    rules: list[RowRule],
    key: bytes,
    loaded_at: dt.datetime,
    slice_bytes: int,
    rejected: BadRowTally | None,
) -> tuple[SpooledFrame, SpooledFrame, BadRowTally]:
    """Every slice checked and spooled. With `rejected` (the first pass's tally of a rejected
    file), every row goes to quarantine, as `ingest_records` does for a rejected file."""
    loaded, quarantine = SpooledFrame(), SpooledFrame(schema=QUARANTINE_SCHEMA)
    tally = BadRowTally()
    record_names = [c.name for c in fmt.columns]
    first_row = 1
    slices = max(1, math.ceil(path.stat().st_size / slice_bytes))  # about: records are whole
    pass_name = "" if rejected is None else " (rejected, again into quarantine)"
    try:
        for number, utf8 in enumerate(
            utf8_record_slices(path, outcome.file_name, outcome.encoding, slice_bytes), 1
        ):
            try:
                records = [parse_csv(utf8, outcome.file_name)]
            except FileRejected as error:
                if first_row == 1:
                    raise
                where = f"{error.reason} (in the records from row {first_row})"
                raise FileRejected(outcome.file_name, where) from error
            del utf8
            good, bad, blank = check_records(records, fmt, outcome.file_name, rules, key, first_row)
            first_row += good.height + bad.height + blank
            tally.add(good.height + bad.height, bad, blank)
            if rejected is not None:
                marked = good.with_columns(rejected.rejected_row_marks())
                bad, good = pl.concat([bad, marked]).sort("_row_number"), good.clear()
            quarantine.append(quarantine_rows(bad, outcome, record_names))
            if fmt.warning is not None and good.height:
                outcome.warnings += int(good.select(fmt.warning.fill_null(False).sum()).item())
            loaded.append(with_lineage(fmt.output(good), good, outcome, loaded_at))
            progress.report(
                f"{outcome.file_name} slice {number}/{max(number, slices)}{pass_name}",
                rows=tally.rows,
            )
    except BaseException:
        loaded.discard()
        quarantine.discard()
        raise
    return loaded, quarantine, tally


def ingest_csv_in_slices(
    path: Path,
    file_name: str,
    fmt: SourceFormat,
    rules: list[RowRule],
    key: bytes,
    loaded_at: dt.datetime,
    slice_bytes: int | None = None,
) -> FileOutcome:
    """Ingest one CSV file in slices; loaded and quarantined rows are `SpooledFrame`s."""
    started = time.perf_counter()
    slice_bytes = slice_bytes or SLICE_BYTES
    outcome = FileOutcome(
        source=fmt.source,
        file_name=file_name,
        sha256=file_sha256(path),
        file_date=file_date_from_name(Path(file_name).name),
    )
    try:
        outcome.encoding = file_encoding(path, file_name)
        loaded, quarantine, tally = _one_pass(
            path, outcome, fmt, rules, key, loaded_at, slice_bytes, None
        )
        if tally.too_many:
            loaded.discard()
            quarantine.discard()
            outcome.status, outcome.reason = "rejected", tally.rejection_reason(file_name)
            outcome.warnings = 0
            loaded, quarantine, _ = _one_pass(
                path, outcome, fmt, rules, key, loaded_at, slice_bytes, tally
            )
    except FileRejected as error:
        outcome.reject(error)
        outcome.warnings = 0
        if isinstance(error, Undecodable):
            outcome.encoding = None  # as for a file read whole: no encoding could read it
    else:
        outcome.rows_read = tally.rows
        outcome.rows_blank = tally.blank
        outcome.loaded = {fmt.table: loaded}
        outcome.quarantine = quarantine
    outcome.seconds += time.perf_counter() - started
    return outcome
