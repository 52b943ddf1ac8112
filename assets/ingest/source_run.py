"""Run one source's ingest inside an asset: find its files, ingest each, write the ledgers.

Source assets stay thin: they say which folder and file pattern, how one file is ingested,
and what the empty raw tables look like; this module does the rest the same way for all.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from assets.ingest import sliced_ingest
from assets.ingest.code_sets import load_code_sets
from assets.ingest.file_ingest import SourceFormat, ingest_records, new_outcome
from assets.ingest.identifier_scrub import scrub_text
from assets.ingest.outcome import FileOutcome, FileRejected
from assets.ingest.pseudonym import current_key
from assets.ingest.row_rules import RowRule
from assets.ingest.sliced_ingest import can_slice, file_sha256, ingest_csv_in_slices
from assets.ingest.store import (
    discard_spools,
    ensure_ledgers,
    summary_metadata,
    write_outcomes,
)
from assets.ingest.text_files import read_csv_text
from pipelines import project
from pipelines.faults import pause_point
from pipelines.warehouse import preview_markdown

log = logging.getLogger(__name__)


def discover(data_raw: Path, folder: str, pattern: str) -> list[Path]:
    """Source files in name order (file dates sort with names), each content once.

    A file dropped again under another name (same sha256) is not ingested twice: the copy
    with the newest name is kept, since the name carries the export date.
    """
    paths = sorted((data_raw / folder).glob(pattern))
    kept: dict[str, Path] = {}
    for path in reversed(paths):
        digest = file_sha256(path)
        if digest in kept:
            copy, kept_name = scrub_text(str(path)), scrub_text(str(kept[digest]))
            log.warning("%s has the same content as %s: not ingested twice", copy, kept_name)
            continue
        kept[digest] = path
    return sorted(kept.values())


def relative_name(path: Path, data_raw: Path) -> str:
    try:
        return path.relative_to(data_raw).as_posix()
    except ValueError:
        return path.name


def ingest_csv_file(
    path: Path,
    data_raw: Path,
    fmt: SourceFormat,
    rules: list[RowRule],
    key: bytes,
    loaded_at: dt.datetime,
) -> FileOutcome:
    """One CSV file; files above SLICED_ABOVE_BYTES are read in slices (bounded memory)."""
    if path.stat().st_size > sliced_ingest.SLICED_ABOVE_BYTES and can_slice(rules):
        name = relative_name(path, data_raw)
        return ingest_csv_in_slices(path, name, fmt, rules, key, loaded_at)
    data = path.read_bytes()
    outcome = new_outcome(fmt.source, relative_name(path, data_raw), data)
    try:
        text, outcome.encoding = read_csv_text(data, outcome.file_name)
    except FileRejected as error:
        outcome.reject(error)
        return outcome
    del data  # the raw bytes are hashed and parsed: free them before the records are checked
    records = [text]
    del text  # ingest_records takes the only reference, so it can free columns it replaces
    return ingest_records(outcome, records, fmt, rules, key, loaded_at)


def empty_table(fmt: SourceFormat, rules: list[RowRule], key: bytes) -> pl.DataFrame:
    """The raw table's schema, from running the format on zero records."""
    text = pl.DataFrame(schema={c.name: pl.String for c in fmt.columns})
    outcome = FileOutcome(source=fmt.source, file_name="(none)", sha256="", file_date=None)
    ingest_records(outcome, text, fmt, rules, key, dt.datetime(2000, 1, 1))
    return outcome.loaded[fmt.table]


def run_source_ingest(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    source: str,
    ingest_files: Callable[[Path, dict, bytes, dt.datetime], list[FileOutcome]],
    empty_tables: Callable[[dict, bytes], dict[str, pl.DataFrame]],
) -> dict:
    """Ingest every file of `source`; returns materialisation metadata (with per-table rows)."""
    data_raw = project.data_raw_dir()
    key = current_key()
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with duckdb.get_connection() as con:
        ensure_ledgers(con)
        codes = load_code_sets(con)
    outcomes = ingest_files(data_raw, codes, key, loaded_at)
    try:
        pause_point("ingest")
        for outcome in outcomes:
            if outcome.status == "rejected":
                context.log.error(f"[{source}] file rejected: {outcome.reason}")
        with duckdb.get_connection() as con:
            counts = write_outcomes(
                con, source, outcomes, empty_tables(codes, key), context.run.run_id, loaded_at
            )
            previews = {table: preview_markdown(con, table) for table in counts}
    finally:
        discard_spools(outcomes)
    metadata = summary_metadata(outcomes)
    metadata["seconds"] = round(sum(o.seconds for o in outcomes), 3)
    for table, rows in counts.items():
        metadata[f"rows {table}"] = rows
    metadata["preview"] = dg.MetadataValue.md(
        "\n\n".join(f"**{t}**\n\n{p}" for t, p in previews.items())
    )
    return metadata
