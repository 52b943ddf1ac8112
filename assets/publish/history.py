"""What a newly published warehouse carries over from the one it replaces.

Each run builds its tables from scratch, so the history that makes the warehouse auditable is
copied forward at publication: earlier versions of every source file (`audit.source_files`),
the indicator values as published by every earlier run (`audit.indicator_values_history`),
and the run records (`audit.runs`), with a content hash of each `metrics.*` table so that two
runs on the same inputs can be shown to agree.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import polars as pl

from assets.warehouse.fingerprints import stable_value_sql
from pipelines.run_log import read_runs
from pipelines.sql_text import column_list, identifier, qualified
from pipelines.warehouse import column_types, replace_table, table_exists

RUNS_SCHEMA = {
    "run_id": pl.String,
    "started_at": pl.Datetime("us"),
    "ended_at": pl.Datetime("us"),
    "status": pl.String,
    "exit_code": pl.Int64,
    "published": pl.Boolean,
    "files_used": pl.String,
    "metric_hash": pl.String,
    "message": pl.String,
    "key_fingerprint": pl.String,  # assets/publish/key_fingerprint.py; null before it existed
    "key_changed": pl.Boolean,
}


def metric_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """md5 over each metrics table's rows in a canonical order; independent of row order.
    Floating-point values count at 12 significant digits, as in the model fingerprints: a
    sum DuckDB computes on several threads may differ in its last bits from run to run, and
    two runs on the same inputs must record the same hash."""
    tables = [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'metrics' "
            "order by table_name"
        ).fetchall()
    ]
    hashes = {}
    for table in tables:
        columns = column_types(con, f"metrics.{table}")
        values = ", ".join(
            f"{identifier(name)} := {stable_value_sql(name, data_type)}"
            for name, data_type in columns.items()
        )
        row = con.execute(
            "select md5(coalesce(string_agg(r, chr(10) order by r), '')) "
            f"from (select cast(struct_pack({values}) as varchar) as r "
            f"from {qualified('metrics', table)})"
        ).fetchone()
        hashes[table] = row[0]
    return hashes


def combined_hash(hashes: dict[str, str], con: duckdb.DuckDBPyConnection) -> str:
    text = json.dumps(hashes, sort_keys=True)
    return con.execute("select md5(?)", [text]).fetchone()[0]


def carry_forward(con: duckdb.DuckDBPyConnection, previous: Path, run_id: str) -> None:
    """Copy earlier audit rows and indicator snapshots from the previously published file."""
    if table_exists(con, "metrics.indicator_values"):
        con.execute(
            "create table if not exists audit.indicator_values_history as "
            "select ?::varchar as run_id, * from metrics.indicator_values limit 0",
            [run_id],
        )
        con.execute(
            "insert into audit.indicator_values_history "
            "select ?::varchar as run_id, * from metrics.indicator_values",
            [run_id],
        )
    if not previous.exists():
        return
    con.execute("attach ? as previous (read_only)", [str(previous)])
    try:
        if _attached_table_exists(con, "previous", "audit", "source_files"):
            # Earlier versions of files (same name, other content, or files since removed)
            # stay on record; content seen again in this run (any name) is not recorded
            # twice. Columns are matched by name, so a warehouse published by an older
            # release still carries over.
            shared = _shared_columns(con, "source_files") - {"is_current"}
            names = column_list(sorted(shared))
            con.execute(
                f"insert into audit.source_files ({names}, is_current) "
                f"select {names}, false from previous.audit.source_files p "
                "where not exists (select 1 from audit.source_files c "
                "where c.sha256 = p.sha256 or (c.file_name = p.file_name and c.sha256 is null "
                "and p.sha256 is null))"
            )
        if _attached_table_exists(con, "previous", "audit", "indicator_values_history"):
            con.execute(
                "insert into audit.indicator_values_history by name "
                "select * from previous.audit.indicator_values_history where run_id <> ?",
                [run_id],
            )
    finally:
        con.execute("detach previous")


def _shared_columns(con, table: str) -> set[str]:
    def columns(catalog: str) -> set[str]:
        return {
            row[0]
            for row in con.execute(
                "select column_name from duckdb_columns() where database_name = ? "
                "and schema_name = 'audit' and table_name = ?",
                [catalog, table],
            ).fetchall()
        }

    current = con.execute("select current_database()").fetchone()[0]
    return columns(current) & columns("previous")


def _attached_table_exists(con, catalog: str, schema: str, table: str) -> bool:
    row = con.execute(
        "select count(*) from duckdb_tables() where database_name = ? and schema_name = ? "
        "and table_name = ?",
        [catalog, schema, table],
    ).fetchone()
    return bool(row[0])


def write_runs(con: duckdb.DuckDBPyConnection, current: dict) -> None:
    """audit.runs = every run in the run log, plus this one (published, by definition)."""
    records = [r for r in read_runs() if r.get("run_id") != current["run_id"]] + [current]
    frame = pl.DataFrame(
        [{k: _cell(r.get(k), dtype) for k, dtype in RUNS_SCHEMA.items()} for r in records],
        schema=RUNS_SCHEMA,
    )
    replace_table(con, "audit.runs", frame)


def _cell(value, dtype):
    if value is None:
        return None
    if dtype == pl.Datetime("us") and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if dtype == pl.String and not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value
