"""What a table was built from, as one hash, so a run rebuilds only what changed.

Every run builds into a fresh work file. A SQL model's *fingerprint* is the sha256 of its SQL
text, the DuckDB version and the fingerprints of the tables it reads, each a hash of the
table's contents: for a source table (raw.*, reference.*, a Python-built table,
audit.source_files) hashed in the work file; for another SQL model, the contents hash
recorded when this run built or took that model (its *output fingerprint*). A model whose
inputs changed but whose rows did not therefore stops the change there: a model reading the
whole ledger is rebuilt when the GTFS feeds (read every night) get a new load time, but its
rows are the same, so nothing downstream is rebuilt ("early cutoff"). When the published
warehouse holds the model's table built from the same fingerprint, the table is taken from
there instead of being computed again, with the output fingerprint recorded beside it.
`audit.model_builds` records, per table, the fingerprint it was built from, the hash of the
rows it holds, and whether this run built it or took it unchanged.

The contents hash of a table is independent of row order: the sum over rows of DuckDB's
`hash()` of every column, with the row count and the column names and types. A load time
(raw `_loaded_at`, audit.source_files `loaded_at`) is left out for a model that neither names
it nor returns it. Floating-point
columns are hashed at 12 significant digits: the survey estimates (polars, parallel sums)
differ from run to run in the last bits, and a table that differs only there is unchanged
for every reader. Columns that
only say which run wrote a ledger row (run id, timings, whether the row was carried) are left
out of audit.* and quality.* tables: they differ on every run, and no model or chart reads
them except `run_id` as a tie-break within one run's rows. A model reading
audit.source_files sees only the rows of the sources whose raw tables it reads, so a
registrations model does not depend on when the survey ingest happened to run.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb

from assets.warehouse.sql_models import MODEL_SCHEMAS, SqlModel
from pipelines.sql_text import identifier, literal, qualified
from pipelines.warehouse import column_types, table_exists

BUILDS_TABLE = "audit.model_builds"
BUILDS_DDL = f"""
create table if not exists {BUILDS_TABLE} (
    table_name varchar, fingerprint varchar, action varchar, run_id varchar,
    output_fingerprint varchar
)
"""
BUILT, SKIPPED = "built", "skipped (unchanged)"
LEDGER_SCHEMAS = ("audit", "quality")
VOLATILE_COLUMNS = frozenset(
    {"run_id", "seconds", "carried", "evaluated_at", "gx_seconds", "fetch_seconds"}
)
SOURCE_FILES = "audit.source_files"
# The source (audit.source_files.source) whose files fill each raw table a model may read.
SOURCE_OF_RAW = {
    "raw.registrations": "registrations",
    "raw.bus_fleet": "bus_fleet",
    "raw.taxi_fleet": "taxi_fleet",
    "raw.survey_households": "surveys",
    "raw.survey_persons": "surveys",
    "raw.survey_trips": "surveys",
}
GTFS_RAW_PREFIX = "raw.gtfs_"  # raw.gtfs_<file> ×10, all filled by the gtfs source
RAW_LOAD_TIME = "_loaded_at"  # raw lineage: when the row's file was read
PUBLISHED_ALIAS = "greentrack_published"
FLOATING = ("DOUBLE", "FLOAT", "REAL")


def digest(parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def stable_value_sql(column: str, data_type: str) -> str:
    """The column as SQL for a hash that is a function of the inputs: a floating-point value
    at 12 significant digits (DuckDB's parallel sums differ from run to run in the last bits),
    any other value as it is."""
    if data_type in FLOATING:
        return f"printf('%.12g', {identifier(column)})"
    return identifier(column)


def contents_fingerprint(
    con: duckdb.DuckDBPyConnection,
    table: str,
    sources: tuple[str, ...] = (),
    unread: tuple[str, ...] = (),
) -> str | None:
    """Hash of a table's rows, independent of their order; None when the table is absent.
    With `sources`, only the rows of those sources (a ledger with a `source` column); columns
    in `unread` (that the reader never looks at) are left out."""
    columns = column_types(con, table)
    if not columns:
        return None
    ledger = table.split(".", 1)[0] in LEDGER_SCHEMAS
    kept = [
        name for name in columns if not (ledger and name in VOLATILE_COLUMNS) and name not in unread
    ]
    where = ""
    if sources:
        where = f" where source in ({', '.join(literal(s) for s in sorted(sources))})"
    values = [stable_value_sql(name, columns[name]) for name in kept]
    row_hash = f"hash({', '.join(values)})" if kept else "0"
    rows, total = con.execute(
        f"select count(*), coalesce(sum({row_hash}::hugeint), 0)::varchar "
        f"from {qualified(table)}{where}"
    ).fetchall()[0]
    return digest({"columns": [[n, columns[n]] for n in kept], "rows": rows, "sum": total})


def is_sql_model(table: str) -> bool:
    """A table of a model layer; only SQL models record a build in audit.model_builds, so a
    table a Python asset writes there has no recorded fingerprint and is hashed by content."""
    return table.split(".", 1)[0] in MODEL_SCHEMAS


def recorded_fingerprint(con: duckdb.DuckDBPyConnection, table: str) -> str | None:
    """The contents hash this run's work file records for a SQL model's table (its output
    fingerprint), so a reader does not hash the model's rows again."""
    if not table_exists(con, BUILDS_TABLE):
        return None
    rows = con.execute(
        f"select output_fingerprint from {qualified(BUILDS_TABLE)} where table_name = ?", [table]
    ).fetchall()
    return rows[0][0] if rows else None


def table_fingerprint(
    con: duckdb.DuckDBPyConnection,
    table: str,
    sources: tuple[str, ...] = (),
    unread: tuple[str, ...] = (),
) -> str | None:
    """A table's contents hash: for a SQL model, the one recorded when this run built or took
    it (the same hash, not computed twice); otherwise computed now."""
    if is_sql_model(table) and not unread:
        recorded = recorded_fingerprint(con, table)
        if recorded is not None:
            return recorded
    return contents_fingerprint(con, table, sources, unread)


def source_of_raw(table: str) -> str | None:
    """The source (audit.source_files.source) whose files fill a raw table."""
    return "gtfs" if table.startswith(GTFS_RAW_PREFIX) else SOURCE_OF_RAW.get(table)


def load_time_column(table: str) -> str | None:
    """The column saying when a source table's rows were read: the only column that differs
    between two reads of the same file."""
    if table.startswith("raw."):
        return RAW_LOAD_TIME
    return "loaded_at" if table == SOURCE_FILES else None


def unread_load_times(
    con: duckdb.DuckDBPyConnection, model: SqlModel, columns: set[str]
) -> set[str]:
    """The load-time columns the model's rows cannot depend on: its SQL never names them, and
    no `select *` passes them into the columns the model returns (one `describe` for all).
    GTFS feeds are read again every night: same rows and audit, a new load time."""
    unnamed = {column for column in columns if column not in model.sql.lower()}
    if not unnamed:
        return set()
    try:
        for macro in model.macros:
            con.execute(macro.create_sql)
        returned = {row[0] for row in con.execute(f"describe {model.sql}").fetchall()}
    except duckdb.Error:
        return set()  # an input is missing: the build will say so
    return unnamed - returned


def input_fingerprints(con: duckdb.DuckDBPyConnection, model: SqlModel) -> dict[str, str | None]:
    sources = tuple(sorted({source for t in model.reads if (source := source_of_raw(t))}))
    load_times = {table: column for table in model.reads if (column := load_time_column(table))}
    unread = unread_load_times(con, model, set(load_times.values()))
    return {
        table: table_fingerprint(
            con,
            table,
            sources if table == SOURCE_FILES else (),
            (load_times[table],) if load_times.get(table) in unread else (),
        )
        for table in model.reads
    }


def model_fingerprint(model: SqlModel, inputs: dict[str, str | None]) -> str:
    """What the model's table is a function of: its SQL and the macros it calls, DuckDB's
    version, its inputs. (A model calling no macro keeps the fingerprint it had before macros
    existed, so its published table stays reusable.)"""
    parts = {"sql": model.sql, "duckdb": duckdb.__version__, "inputs": inputs}
    if model.macros:
        parts["macros"] = {macro.name: macro.sql for macro in model.macros}
    return digest(parts)


def record_build(
    con: duckdb.DuckDBPyConnection,
    table: str,
    fingerprint: str,
    action: str,
    run_id: str,
    output_fingerprint: str | None = None,
) -> str | None:
    """Record the build; the output fingerprint is the table's contents hash, computed here
    unless the caller has it (a table taken unchanged brings the published one). Returns it."""
    if output_fingerprint is None:
        output_fingerprint = contents_fingerprint(con, table)
    con.execute("create schema if not exists audit")
    con.execute(BUILDS_DDL)
    con.execute(f"delete from {qualified(BUILDS_TABLE)} where table_name = ?", [table])
    con.execute(
        f"insert into {qualified(BUILDS_TABLE)} "
        "(table_name, fingerprint, action, run_id, output_fingerprint) values (?, ?, ?, ?, ?)",
        [table, fingerprint, action, run_id, output_fingerprint],
    )
    return output_fingerprint


def _attached_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """The columns of `table` in the attached published file; empty when it has no such table."""
    schema, name = table.split(".", 1)
    rows = con.execute(
        "select column_name from duckdb_columns() "
        "where database_name = ? and schema_name = ? and table_name = ?",
        [PUBLISHED_ALIAS, schema, name],
    ).fetchall()
    return {row[0] for row in rows}


def copy_if_published(
    con: duckdb.DuckDBPyConnection, table: str, fingerprint: str, published: Path
) -> str | None:
    """Create `table` in the work file from the published warehouse when the published one was
    built from `fingerprint`, and return the output fingerprint recorded for it there; None
    (nothing written) when it was not, when the published file does not record the output
    fingerprint (an older release), or when it cannot be read."""
    if not published.exists():
        return None
    try:
        con.execute(f"attach {literal(str(published))} as {PUBLISHED_ALIAS} (read_only)")
    except duckdb.Error:
        return None  # held by a writer, or not a warehouse: build instead
    try:
        if "output_fingerprint" not in _attached_columns(con, BUILDS_TABLE):
            return None  # no builds recorded, or recorded by an older release
        if not _attached_columns(con, table):
            return None
        builds = f"{PUBLISHED_ALIAS}.{qualified(BUILDS_TABLE)}"
        rows = con.execute(
            f"select output_fingerprint from {builds} where table_name = ? and fingerprint = ? "
            "and output_fingerprint is not null",
            [table, fingerprint],
        ).fetchall()
        if not rows:
            return None
        schema = table.split(".", 1)[0]
        con.execute(f"create schema if not exists {identifier(schema)}")
        con.execute(
            f"create or replace table {qualified(table)} as "
            f"select * from {PUBLISHED_ALIAS}.{qualified(table)}"
        )
        return rows[0][0]
    finally:
        con.execute(f"detach {PUBLISHED_ALIAS}")
