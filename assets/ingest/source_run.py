"""Run one source's ingest inside an asset: find its files, ingest each, write the ledgers.

Source assets stay thin: they say which folder and file pattern, how one file is ingested,
and what the empty raw tables look like; this module does the rest the same way for all:
discovery (what is read, what is ignored and listed in one warning), the files rejected
before reading (unreadable, two for one date), and the plausibility gate after ingest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from assets.ingest import carrying, plausibility, sliced_ingest
from assets.ingest.code_sets import load_code_sets
from assets.ingest.discovery import Discovery, SourcePattern, discover, ignored_warning, relative
from assets.ingest.file_ingest import (
    SourceFormat,
    file_date_from_name,
    ingest_records,
    new_outcome,
)
from assets.ingest.outcome import FileOutcome, FileRejected
from assets.ingest.pseudonym import current_key
from assets.ingest.row_rules import RowRule
from assets.ingest.sliced_ingest import can_slice, ingest_csv_in_slices
from assets.ingest.store import (
    LEDGER_TABLES,
    discard_spools,
    ensure_ledgers,
    summary_metadata,
    write_ignored,
    write_ingest_plan,
    write_outcomes,
)
from assets.ingest.text_files import read_csv_text
from assets.warehouse.table_writers import also_writes
from pipelines import progress, project
from pipelines.faults import pause_point
from pipelines.progress import step_label
from pipelines.warehouse import preview_markdown

# Spec metadata of every asset that runs a source's ingest: it writes the ledgers too.
WRITES_LEDGERS = also_writes(*LEDGER_TABLES)


def relative_name(path: Path, data_raw: Path) -> str:
    return relative(path, data_raw)


def read_source(path: Path, source: str, data_raw: Path) -> bytes | FileOutcome:
    """The file's bytes, or its rejected outcome (`unreadable: <why>`) when reading fails
    after discovery found it readable (an I/O error, permissions changed meanwhile)."""
    try:
        return path.read_bytes()
    except OSError as error:
        return unreadable(path, source, data_raw, error)


def unreadable(path: Path, source: str, data_raw: Path, error: OSError) -> FileOutcome:
    name = relative_name(path, data_raw)
    outcome = FileOutcome(source, name, "", file_date_from_name(path.name))
    outcome.reject(FileRejected(name, f"unreadable: {error.strerror or error}"))
    return outcome


def ingest_csv_file(
    path: Path,
    data_raw: Path,
    fmt: SourceFormat,
    rules: list[RowRule],
    key: bytes,
    loaded_at: dt.datetime,
) -> FileOutcome:
    """One CSV file; files above SLICED_ABOVE_BYTES are read in slices (bounded memory)."""
    try:
        size = path.stat().st_size
    except OSError as error:
        return unreadable(path, fmt.source, data_raw, error)
    if size > sliced_ingest.SLICED_ABOVE_BYTES and can_slice(rules):
        name = relative_name(path, data_raw)
        return ingest_csv_in_slices(path, name, fmt, rules, key, loaded_at)
    data = read_source(path, fmt.source, data_raw)
    if isinstance(data, FileOutcome):
        return data
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
    pattern: SourcePattern,
    ingest_files: Callable[[Discovery, Path, dict, bytes, dt.datetime], list[FileOutcome]],
    empty_tables: Callable[[dict, bytes], dict[str, pl.DataFrame]],
) -> dict:
    """Ingest every file of `pattern`'s source; returns materialisation metadata.

    `ingest_files` gets the discovery with only the files to read (oldest first); files
    refused before reading are audited here, and every outcome then meets the gate."""
    source = pattern.source
    data_raw = project.data_raw_dir()
    key = current_key()
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    found = discover(data_raw, pattern)
    clashes = plausibility.same_date_clashes(found.files)
    refused = [*found.unreadable, *clashes]
    clashing = {f.name for f, _ in clashes}
    found.files = [f for f in found.files if f.name not in clashing]
    found.unreadable = refused
    if found.ignored:
        context.log.warning(ignored_warning(source, found.ignored))
    with duckdb.get_connection() as con:
        ensure_ledgers(con)
        codes = load_code_sets(con)
    outcomes = [plausibility.refused_outcome(source, f, reason) for f, reason in refused]
    plan = carrying.plan(found, source, key, project.full_rebuild(context.run.tags))
    if plan is not None:
        outcomes += plan.carried
        if plan.reason and found.files:
            context.log.warning(f"[{source}] {plan.reason}")
    try:
        step = step_label(context.op_execution_context.op.name)
        with progress.inside_step(step, context.log.info):  # a large file's slices report
            ingested = ingest_files(found, data_raw, codes, key, loaded_at)
        outcomes += ingested
        if plan is not None:
            plan.save(ingested, loaded_at)
        plausibility.judge(
            outcomes,
            pattern.series_of,
            plausibility.published_versions(source),
            plausibility.run_day(),
            project.max_row_drop(),
        )
        pause_point("ingest")
        for outcome in outcomes:
            if outcome.status == "rejected":
                context.log.error(f"[{source}] file rejected: {outcome.reason}")
        with duckdb.get_connection() as con:
            counts = write_outcomes(
                con, source, outcomes, empty_tables(codes, key), context.run.run_id, loaded_at
            )
            ignored = [(entry.name, entry.why) for entry in found.ignored]
            write_ignored(con, source, ignored, context.run.run_id)
            write_ingest_plan(con, source, outcomes, plan, context.run.run_id)
            previews = {table: preview_markdown(con, table) for table in counts}
        if plan is not None:
            plan.finish()
    finally:
        discard_spools(outcomes)
    metadata = summary_metadata(outcomes)
    metadata["ignored"] = "\n".join(str(entry) for entry in found.ignored) or "none"
    metadata["seconds"] = round(sum(o.seconds for o in outcomes if not o.carried), 3)
    metadata["files_carried"] = sum(o.carried for o in outcomes)
    for table, rows in counts.items():
        metadata[f"rows {table}"] = rows
    metadata["preview"] = dg.MetadataValue.md(
        "\n\n".join(f"**{t}**\n\n{p}" for t, p in previews.items())
    )
    return metadata
