"""Write ingest outcomes: raw tables, `quality.quarantine` and `audit.source_files`.

Each source asset owns its raw tables and its own rows of the two shared ledgers, so that a
source can be re-materialised alone without touching the others' accounting.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from assets.ingest.outcome import FileOutcome
from assets.ingest.spool import SpooledFrame
from pipelines.sql_text import qualified
from pipelines.warehouse import append_rows, ensure_schemas, replace_table

# The ledgers every source's ingest writes beside its raw tables.
LEDGER_TABLES = (
    "audit.source_files",
    "audit.source_ingest",
    "audit.ignored_files",
    "quality.quarantine",
)

AUDIT_DDL = """
create table if not exists audit.source_files (
    run_id varchar, source varchar, file_name varchar, sha256 varchar, file_date date,
    encoding varchar, rows_read bigint, rows_loaded bigint, rows_quarantined bigint,
    status varchar, reason varchar, warnings bigint, seconds double, loaded_at timestamp,
    is_current boolean, rows_skipped_blank bigint, carried boolean
)
"""
QUARANTINE_DDL = """
create table if not exists quality.quarantine (
    run_id varchar, source varchar, file_name varchar, row_number bigint,
    column_name varchar, reason varchar, raw_record varchar
)
"""

IGNORED_DDL = """
create table if not exists audit.ignored_files (
    run_id varchar, source varchar, file_name varchar, why varchar
)
"""

INGEST_PLAN_DDL = """
create table if not exists audit.source_ingest (
    run_id varchar, source varchar, files_ingested bigint, files_carried bigint,
    ingest_fingerprint varchar, reingest_reason varchar
)
"""


def ensure_ledgers(con: duckdb.DuckDBPyConnection) -> None:
    ensure_schemas(con)
    con.execute(AUDIT_DDL)
    con.execute(QUARANTINE_DDL)
    con.execute(IGNORED_DDL)
    con.execute(INGEST_PLAN_DDL)


def write_ingest_plan(
    con: duckdb.DuckDBPyConnection, source: str, outcomes: list[FileOutcome], plan, run_id: str
) -> None:
    """Replace the source's row of audit.source_ingest: how many files this run read and how
    many it carried from the version store, and why it had to read them again if it did."""
    ensure_ledgers(con)
    con.execute("delete from audit.source_ingest where source = ?", [source])
    carried = sum(o.carried for o in outcomes)
    con.execute(
        "insert into audit.source_ingest values (?, ?, ?, ?, ?, ?)",
        [
            run_id,
            source,
            len(outcomes) - carried,
            carried,
            plan.fingerprint if plan is not None else None,
            plan.reason if plan is not None else None,
        ],
    )


def write_ignored(
    con: duckdb.DuckDBPyConnection, source: str, ignored: list[tuple[str, str]], run_id: str
) -> None:
    """Replace the source's rows of audit.ignored_files: entries of data_raw/ it left alone
    (file name relative to data_raw/, why), so the run's summary can list them."""
    ensure_ledgers(con)
    con.execute("delete from audit.ignored_files where source = ?", [source])
    if ignored:
        con.executemany(
            "insert into audit.ignored_files values (?, ?, ?, ?)",
            [[run_id, source, name, why] for name, why in ignored],
        )


def write_outcomes(
    con: duckdb.DuckDBPyConnection,
    source: str,
    outcomes: list[FileOutcome],
    empty_tables: dict[str, pl.DataFrame],
    run_id: str,
    loaded_at: dt.datetime,
) -> dict[str, int]:
    """Replace the source's raw tables and its ledger rows; returns rows per raw table."""
    ensure_ledgers(con)
    counts = {}
    for table, empty in empty_tables.items():
        frames = [o.loaded[table] for o in outcomes if table in o.loaded and o.loaded[table].height]
        in_memory = [f for f in frames if isinstance(f, pl.DataFrame)]
        combined = pl.concat(in_memory, how="diagonal_relaxed") if in_memory else empty
        counts[table] = replace_table(con, table, combined)
        for spooled in (f for f in frames if isinstance(f, SpooledFrame)):
            counts[table] += insert_spooled(con, table, spooled)
    con.execute("delete from quality.quarantine where source = ?", [source])
    con.execute("delete from audit.source_files where source = ?", [source])
    for outcome in outcomes:
        if isinstance(outcome.quarantine, SpooledFrame):
            insert_spooled(con, "quality.quarantine", outcome.quarantine, run_id=run_id)
            continue
        quarantine = outcome.quarantine.with_columns(pl.lit(run_id).alias("run_id"))
        append_rows(con, "quality.quarantine", quarantine)
    audit = pl.DataFrame(
        [o.audit_row(run_id, loaded_at) | {"is_current": True} for o in outcomes],
        schema_overrides={"file_date": pl.Date, "reason": pl.String, "encoding": pl.String},
    )
    append_rows(con, "audit.source_files", audit)
    return counts


def insert_spooled(
    con: duckdb.DuckDBPyConnection, table: str, spooled: SpooledFrame, run_id: str | None = None
) -> int:
    """Append spooled rows (matching columns by name), streamed by DuckDB from the Parquet
    parts, then delete the parts; returns the rows appended."""
    if spooled.discarded:
        raise RuntimeError(f"spooled rows for {table} were already written or discarded")
    rows = spooled.height
    if rows:
        extra = ", ? as run_id" if run_id is not None else ""
        params = [run_id] if run_id is not None else []
        con.execute(
            f"insert into {qualified(table)} by name select *{extra} from read_parquet(?)",
            [*params, [str(p) for p in spooled.paths]],
        )
    spooled.discard()
    return rows


def write_loaded(con: duckdb.DuckDBPyConnection, table: str, frame) -> int:
    """Create or replace `table` from one outcome's loaded rows, in memory or spooled."""
    if not isinstance(frame, SpooledFrame):
        return replace_table(con, table, frame)
    con.execute(
        f"create or replace table {qualified(table)} as select * from read_parquet(?)",
        [[str(p) for p in frame.paths]],
    )
    rows = frame.height
    frame.discard()
    return rows


def discard_spools(outcomes: list[FileOutcome]) -> None:
    """Delete what sliced ingests spooled (after writing, or when the step fails)."""
    for outcome in outcomes:
        for frame in [*outcome.loaded.values(), outcome.quarantine]:
            if isinstance(frame, SpooledFrame):
                frame.discard()


def summary_metadata(outcomes: list[FileOutcome]) -> dict:
    """Counts for the Dagster materialisation: what was read, loaded, quarantined, rejected."""
    rejected = [o for o in outcomes if o.status == "rejected"]
    return {
        "files": len(outcomes),
        "files_rejected": len(rejected),
        "rows_read": sum(o.rows_read for o in outcomes),
        "rows_loaded": sum(o.rows_loaded for o in outcomes),
        "rows_quarantined": sum(o.rows_quarantined for o in outcomes),
        "rows_skipped_blank": sum(o.rows_blank for o in outcomes),
        "warnings": sum(o.warnings for o in outcomes),
        "rejections": "\n".join(o.reason or "" for o in rejected) or "none",
    }
