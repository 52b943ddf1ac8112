"""Read a GTFS zip (or folder) the way gtfs-kit does, table by table, and say why when it can't.

`gtfs_kit.read_feed` reads every table it knows and stops at the first cast error, even in a
table we never load (the Detroit feed's fares overflow gtfs-kit's Int16). So we apply
gtfs-kit's own reading recipe (its dtypes, CSV options and column cleaning) to each table we
load, with a byte-level pass first: NUL bytes and non-UTF-8 text are named with file and row,
and a cast or CSV error is traced back to the first offending row and field.
CRLF line ends, a BOM, extra files and times past 24:00 (kept as text) all read as usual.

Every row must have as many values as its header (`invalid_row_length`, as in MobilityData's
validator): pandas would reject a row with more values and silently fill a row with fewer,
so rows are counted first by Arrow's CSV parser, which counts records (a quoted newline stays
inside its record). Blank records (every value empty: a line of only blanks or commas) are
skipped like in every other source, keep no row number of their own in pandas' numbering
(empty and whitespace-only lines) or leave theirs unused (comma-only lines), and are counted.

Tables are read in chunks of CHUNK_ROWS rows. pandas holds every text value as a Python
object (~60 bytes each), and the allocator does not give that memory back: a provincial
feed's 13 M stop_times took 4 GB read whole. The ingest turns each chunk into its polars
raw frame at once (`convert`), so only one chunk of objects is alive at a time. Columns
gtfs-kit does not type are read as text, so every chunk gives them the same type.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gtfs_kit as gk
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pa_csv

from assets.gtfs.notices import NOTICE_SCHEMA, combine, no_notices, one_notice
from assets.gtfs.tables import LOADED_TABLES, pandas_dtypes
from assets.ingest.archives import ArchiveLimits, ArchiveRejected, open_checked, read_member
from pipelines import project

# The options gtfs_kit.feed._read_feed_from_path passes to pandas.read_csv.
CSV_OPTIONS = {
    "na_values": ["", " ", "nan", "NaN", "null"],
    "keep_default_na": True,
    "dtype_backend": "numpy_nullable",
    "encoding": "utf-8-sig",
}
CHUNK_ROWS = 250_000
MAX_ROW_LENGTH_NOTICES = 100  # per file: enough to show the pattern of a broken export
# (table, one chunk as gtfs-kit reads it, indexed by record number from 0) → a frame
ChunkConverter = Callable[[str, pd.DataFrame], Any]


@dataclass
class FeedContent:
    """What was in the feed: file headers, the loaded tables (pandas), read-time notices."""

    headers: dict[str, list[str]] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    notices: pl.DataFrame = field(default_factory=no_notices)
    blank_rows: int = 0  # blank records skipped in the loaded tables

    def table(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)


def feed_members(source: Path | bytes, limits: ArchiveLimits | None = None) -> dict[str, bytes]:
    """`<table>.txt` files of a zip (bytes or path) or folder, by table name.

    A zip is checked against the archive limits before anything is inflated, and each member
    is read through the bounded reader (raises ArchiveRejected). Zips made by hand often hold
    a top folder (`feed/stops.txt`): the shallowest copy wins.
    """
    if isinstance(source, Path) and source.is_dir():
        return {p.stem: p.read_bytes() for p in sorted(source.glob("*.txt")) if p.is_file()}
    data = source.read_bytes() if isinstance(source, Path) else source
    limits = limits or project.archive_limits()
    chosen: dict[str, tuple[int, zipfile.ZipInfo]] = {}
    with open_checked(data, limits) as archive:
        for info in archive.infolist():
            path = Path(info.filename)
            if info.is_dir() or path.suffix != ".txt" or path.name.startswith("._"):
                continue
            depth = len(path.parts)
            if path.stem not in chosen or depth < chosen[path.stem][0]:
                chosen[path.stem] = (depth, info)
        return {stem: read_member(archive, info, limits) for stem, (_, info) in chosen.items()}


def read_feed_content(source: Path | bytes, convert: ChunkConverter | None = None) -> FeedContent:
    """Headers, loaded tables and read-time notices of a feed. Without `convert` the tables
    are pandas frames (for gtfs-kit); with it, each table is polars `convert`ed chunks."""
    content = FeedContent()
    try:
        members = feed_members(source)
    except ArchiveRejected as error:
        content.notices = one_notice("archive_limit_exceeded", None, str(error))
        return content
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
        content.notices = one_notice("feed_unreadable", None, f"not a readable zip: {error}")
        return content
    problems = []
    for name, data in members.items():
        text_problem = _byte_problem(name, data)
        if text_problem is not None:
            problems.append(text_problem)
            continue
        content.headers[name] = _header(data)
        lengths, blank_lines = _row_length_problems(name, data)
        problems.append(lengths)
        if name in LOADED_TABLES:
            # a table with a ragged row is still read (its long rows left out), so the
            # feed's other checks see it and name no empty file that is not empty
            long_rows = "skip" if lengths.height else "error"
            frame, problem, blank_records = _read_table(name, data, convert, long_rows)
            content.tables[name] = frame
            content.blank_rows += blank_lines + blank_records
            if problem is not None:
                problems.append(problem)
    content.notices = combine(problems)
    return content


def to_gtfs_kit_feed(content: FeedContent, dist_units: str = "km") -> gk.Feed:
    """A gtfs-kit Feed over the same frames (for its analyses and our comparisons)."""
    tables = {name: frame for name, frame in content.tables.items() if frame is not None}
    return gk.Feed(dist_units=dist_units, **tables)


def _byte_problem(name: str, data: bytes) -> pl.DataFrame | None:
    file = f"{name}.txt"
    offset = data.find(b"\x00")
    if offset >= 0:
        row = data.count(b"\n", 0, offset)
        return one_notice("null_character", file, f"NUL byte at byte {offset}", row=row)
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data.count(b"\n", 0, error.start)
        return one_notice("invalid_encoding", file, f"not UTF-8 at byte {error.start}", row=row)
    return None


def _header(data: bytes) -> list[str]:
    first_line = data.split(b"\n", 1)[0].decode("utf-8-sig").rstrip("\r")
    return [name.strip() for name in next(csv.reader([first_line]), [])]


def _row_length_problems(name: str, data: bytes) -> tuple[pl.DataFrame, int]:
    """One `invalid_row_length` notice per row (up to MAX_ROW_LENGTH_NOTICES) whose number
    of values differs from the header's, and how many whitespace-only lines there were.

    Rows are numbered as the loaded rows are (data rows from 1, pandas' numbering): Arrow
    skips empty lines as pandas does but counts whitespace-only ones, which pandas skips,
    so those seen so far are subtracted. A file Arrow cannot parse at all is left to the
    pandas reader, which names the problem."""
    file = f"{name}.txt"
    found: list[dict] = []
    blank_lines = 0

    def on_invalid_row(row) -> str:
        nonlocal blank_lines
        if not row.text.strip():
            blank_lines += 1  # pandas skips it: it has no row number
        elif row.text.count('"') % 2:
            pass  # an unterminated quote: a CSV that cannot be parsed, named by pandas
        elif row.text.replace(",", "").replace('"', "").strip():
            if len(found) < MAX_ROW_LENGTH_NOTICES:
                found.append(
                    {
                        "code": "invalid_row_length",
                        "file": file,
                        "row": row.number - 1 - blank_lines,
                        "field": None,
                        "message": f"row has {row.actual_columns} values, the header has "
                        f"{row.expected_columns}",
                    }
                )
        return "skip"  # a comma-only row is blank: pandas reads it, _read_table drops it

    try:
        pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(use_threads=False, encoding="utf8"),
            parse_options=pa_csv.ParseOptions(
                # only a quoted value can hold a newline; without quotes the faster split
                newlines_in_values=b'"' in data,
                invalid_row_handler=on_invalid_row,
            ),
            convert_options=pa_csv.ConvertOptions(include_columns=[]),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return no_notices(), blank_lines
    notices = pl.DataFrame(found, schema=NOTICE_SCHEMA) if found else no_notices()
    return notices, blank_lines


def _read_table(
    name: str, data: bytes, convert: ChunkConverter | None = None, long_rows: str = "error"
) -> tuple[Any, pl.DataFrame | None, int]:
    """The table as gtfs-kit would read it (None when it has no records), or the problem,
    and the number of blank records (every value empty) dropped from it."""
    parts, rows, blank = [], 0, 0
    try:
        with pd.read_csv(
            io.BytesIO(data),
            dtype=_column_dtypes(name, data),
            chunksize=CHUNK_ROWS,
            on_bad_lines=long_rows,
            **CSV_OPTIONS,
        ) as reader:
            for chunk in reader:
                chunk = gk.clean_column_names(chunk)
                empty = chunk.isna().all(axis=1)
                if empty.any():
                    blank += int(empty.sum())
                    chunk = chunk[~empty]  # the others keep their index: their row number
                if chunk.empty:
                    continue
                parts.append(chunk if convert is None else convert(name, chunk))
                rows += len(chunk)
    except (ValueError, TypeError, pd.errors.ParserError) as error:
        parts.clear()  # the chunks read before the error are not needed to name it
        return None, _locate_read_error(name, data, error, long_rows), 0
    if rows == 0:
        return None, None, blank
    if convert is None:
        return pd.concat(parts, ignore_index=True), None, blank
    if len(parts) == 1:
        return parts[0], None, blank
    return pl.concat(parts), None, blank


def _column_dtypes(name: str, data: bytes) -> dict[str, str]:
    """gtfs-kit's dtype for each column pandas will name (matched without surrounding
    blanks, as gtfs-kit cleans names after reading), text for every other column."""
    columns = pd.read_csv(io.BytesIO(data), nrows=0, **CSV_OPTIONS).columns
    typed = pandas_dtypes(name)
    return {column: typed.get(str(column).strip(), "string") for column in columns}


def _locate_read_error(
    name: str, data: bytes, error: Exception, long_rows: str = "error"
) -> pl.DataFrame:
    """Find the first value that does not cast to gtfs-kit's type for its column.

    The table is read again as text in chunks of CHUNK_ROWS and the search stops at the
    first chunk with a bad value, so a broken provincial stop_times is never held whole."""
    file = f"{name}.txt"
    typed = {c: t for c, t in pandas_dtypes(name).items() if t != "string"}
    rows = 0
    try:
        with pd.read_csv(
            io.BytesIO(data), dtype=str, chunksize=CHUNK_ROWS, on_bad_lines=long_rows, **CSV_OPTIONS
        ) as reader:
            for text in reader:
                text.columns = [str(c).strip() for c in text.columns]
                found = _first_bad_value(text, typed)
                if found is not None:
                    index, column, message = found
                    row = rows + index + 1
                    return one_notice("invalid_number", file, message, row=row, field=column)
                rows += len(text)
    except (ValueError, pd.errors.ParserError) as parse_error:
        message = " ".join(str(parse_error).split())  # pandas ends its messages with a newline
        return one_notice("feed_unreadable", file, f"CSV cannot be parsed: {message}")
    return one_notice("feed_unreadable", file, f"cannot be read: {' '.join(str(error).split())}")


def _first_bad_value(text: pd.DataFrame, typed: dict[str, str]) -> tuple[int, str, str] | None:
    """(row index in `text`, column, message) of the first row holding a value that does not
    cast to its column's numeric type (within a row, gtfs-kit's column order); None when
    every value casts."""
    first = None
    for column, dtype in typed.items():
        if column not in text.columns:
            continue
        values = text[column]
        numbers = pd.to_numeric(values, errors="coerce")
        bad = values.notna() & numbers.isna()
        if dtype.startswith("Int"):
            limit = 2**15 if dtype == "Int16" else 2**31
            bad |= numbers.notna() & ((numbers % 1 != 0) | (numbers.abs() >= limit))
        if bad.any():
            index = int(bad.to_numpy().nonzero()[0][0])
            if first is None or index < first[0]:
                first = (index, column, f"{values.iloc[index]!r} is not a valid {dtype} value")
    return first
