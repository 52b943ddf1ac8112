"""One GTFS zip → one audit row, its raw.gtfs_* frames (all or nothing) and its notices.

A feed is atomic: a single broken "must" rule rejects the whole zip (none of its rows load),
because a timetable with a dangling trip or stop cannot be half-trusted. The audit counts are
records of the ten loaded tables (agency … frequencies; fares, transfers and other files are
not loaded, so not counted). Feeds have no per-row quarantine: rows_quarantined is always 0,
and a rejected feed reads as 0/0/0 like any file rejected whole; its notices say why.
An identical zip under another name is the same feed version: audited, not loaded twice.
An accepted feed's large tables wait in Parquet parts on disk (`SpooledFrame`), not in
memory, until the source's tables are written: a provincial network's three feed versions
hold ~40 M stop_times, which would otherwise all be in memory at once.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import polars as pl

from assets.gtfs.feed_frames import FeedKeys, empty_raw_frame, feed_name_of, raw_frame
from assets.gtfs.feed_reader import read_feed_content
from assets.gtfs.notices import FEED_NOTICE_SCHEMA, first_error, one_notice, with_severity
from assets.gtfs.tables import LOADED_TABLES, raw_table_name
from assets.gtfs.validation import validate_feed
from assets.ingest.file_ingest import new_outcome
from assets.ingest.identifier_scrub import scrub_columns
from assets.ingest.outcome import FileOutcome, FileRejected
from assets.ingest.pseudonym import current_key
from assets.ingest.source_run import read_source, relative_name
from assets.ingest.spool import SpooledFrame

SOURCE = "gtfs"
# Past this many rows a table is spooled: ~150 MB in memory, where a Parquet round trip
# costs less than keeping it (and every later feed's tables) resident.
SPOOL_ROWS = 2_000_000


def ingest_feed_files(
    paths: list[Path], data_raw: Path, loaded_at: dt.datetime, key: bytes | None = None
) -> tuple[list[FileOutcome], pl.DataFrame]:
    """Every zip's outcome, and all their notices keyed by feed version and file. `paths`
    come oldest publication first (discovery's order), so a republished copy comes second;
    `key` (the run's pseudonym key by default) pseudonymises identifier-looking values."""
    key = current_key() if key is None else key
    outcomes, notices, first_by_hash = [], [], {}
    for path in paths:
        outcome, found = ingest_feed(path, data_raw, loaded_at, first_by_hash, key)
        first_by_hash.setdefault(outcome.sha256, outcome)
        outcomes.append(outcome)
        notices.append(found)
    return outcomes, pl.concat(notices) if notices else pl.DataFrame(schema=FEED_NOTICE_SCHEMA)


def ingest_feed(
    path: Path,
    data_raw: Path,
    loaded_at: dt.datetime,
    first_by_hash: dict[str, FileOutcome],
    key: bytes,
) -> tuple[FileOutcome, pl.DataFrame]:
    started = time.perf_counter()
    data = read_source(path, SOURCE, data_raw)
    if isinstance(data, FileOutcome):
        return data, pl.DataFrame(schema=FEED_NOTICE_SCHEMA)
    outcome = new_outcome(SOURCE, relative_name(path, data_raw), data)
    outcome.encoding = "utf-8"
    keys = FeedKeys(
        feed_version=outcome.sha256,
        feed_name=feed_name_of(outcome.file_name),  # the name as scrubbed by the outcome
        source_file=outcome.file_name,
        file_date=outcome.file_date,
        loaded_at=loaded_at,
        pseudonym_key=key,
    )
    original = first_by_hash.get(outcome.sha256)
    if original is not None:
        return _republished(outcome, original, keys)
    content = read_feed_content(data, convert=lambda table, chunk: raw_frame(table, chunk, keys))
    del data
    frames = {table: _loaded_or_empty(content, table) for table in LOADED_TABLES}
    content.tables.clear()
    present = {table: frame for table, frame in frames.items() if frame.height}
    notices = validate_feed(present, content.headers, content.notices, keys.file_date)
    error = first_error(notices)
    if error is not None:
        outcome.reject(FileRejected(outcome.file_name, rejection_reason(error, notices)))
    else:
        outcome.loaded = {raw_table_name(table): spooled(frame) for table, frame in frames.items()}
        outcome.rows_read = outcome.rows_loaded
        outcome.rows_blank = content.blank_rows
    outcome.warnings = int((notices.get_column("severity") == "WARNING").sum())
    outcome.seconds = time.perf_counter() - started
    return outcome, keyed_notices(notices, keys, outcome.file_name)


def _loaded_or_empty(content, table: str) -> pl.DataFrame:
    frame = content.table(table)
    return empty_raw_frame(table) if frame is None else frame


def spooled(frame: pl.DataFrame) -> pl.DataFrame | SpooledFrame:
    """The frame itself, or on disk when it has more than SPOOL_ROWS rows."""
    if frame.height <= SPOOL_ROWS:
        return frame
    parts = SpooledFrame(schema=dict(frame.schema))
    for offset in range(0, frame.height, SPOOL_ROWS):
        parts.append(frame.slice(offset, SPOOL_ROWS))
    return parts


def rejection_reason(error: dict, notices: pl.DataFrame) -> str:
    """Names the rule, the file, the first offending row and field, and how many more."""
    where = error["file"] or "feed"
    if error["row"] is not None:
        where += f" row {error['row']}"
    if error["field"]:
        where += f" field {error['field']}"
    more = int((notices.get_column("severity") == "ERROR").sum()) - 1
    tail = f" (+{more} more ERROR notices)" if more > 0 else ""
    return f"GTFS rule {error['code']} broken in {where}: {error['message']}{tail}"


def keyed_notices(notices: pl.DataFrame, keys: FeedKeys, source_file: str) -> pl.DataFrame:
    """The notices with the feed's keys; their text is scrubbed of identifier-looking values
    (a message may quote a value, a file may be any member's name)."""
    notices = scrub_columns(notices, ["file", "field", "message"], keys.pseudonym_key)
    return notices.with_columns(
        pl.lit(keys.feed_version).alias("feed_version"),
        pl.lit(keys.feed_name).alias("feed_name"),
        pl.lit(source_file).alias("source_file"),
    ).select([pl.col(c).cast(t) for c, t in FEED_NOTICE_SCHEMA.items()])


def _republished(
    outcome: FileOutcome, original: FileOutcome, keys: FeedKeys
) -> tuple[FileOutcome, pl.DataFrame]:
    message = f"byte-identical to {original.file_name}: the same feed version"
    outcome.duplicate_of = original.file_name
    if original.status == "rejected":
        outcome.reject(FileRejected(outcome.file_name, f"{message}, rejected: {original.reason}"))
    else:
        message += ", loaded once"
    notices = with_severity(one_notice("duplicate_feed_file", None, message))
    outcome.warnings = 1
    return outcome, keyed_notices(notices, keys, outcome.file_name)
