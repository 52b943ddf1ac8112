"""Reading the warehouse for the page: every optional table degrades to a visible note.

Each read names the table and the columns it needs; when the table or a column is absent the
read returns no frame and a note that the page shows in place of the section.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import polars as pl

from pipelines.warehouse import column_types, fetch_frame

INDICATOR_ORDER = (
    "bus_clean_share",
    "urban_taxi_nev_share",
    "new_public_vehicle_ev_share",
    "transit_mode_share",
    "green_travel_share",
)


@dataclass(frozen=True)
class TableRead:
    """A query on one table and the columns the query needs."""

    table: str
    columns: tuple[str, ...]
    sql: str
    requires: tuple[str, ...] = ()  # other tables the query joins


@dataclass
class Reads:
    """Frames read from the warehouse (None when absent) and why some are absent."""

    frames: dict[str, pl.DataFrame | None] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> pl.DataFrame | None:
        return self.frames.get(name)


def table_columns(con: duckdb.DuckDBPyConnection, qualified_name: str) -> set[str]:
    """The table's column names; empty when the table does not exist."""
    return set(column_types(con, qualified_name))


def read_one(con: duckdb.DuckDBPyConnection, read: TableRead) -> tuple[pl.DataFrame | None, str]:
    """The frame, or None with the reason (table absent, columns missing)."""
    columns = table_columns(con, read.table)
    if not columns:
        return None, f"{read.table} absent"
    for other in read.requires:
        if not table_columns(con, other):
            return None, f"{other} absent"
    absent = [c for c in read.columns if c not in columns]
    if absent:
        return None, f"{read.table} lacks column(s) {', '.join(absent)}"
    return fetch_frame(con, read.sql), ""


def read_all(con: duckdb.DuckDBPyConnection, reads: dict[str, TableRead]) -> Reads:
    result = Reads()
    for name, read in reads.items():
        frame, why = read_one(con, read)
        result.frames[name] = frame
        if frame is None:
            result.missing[name] = why
    return result


def order_targets(target_gap: pl.DataFrame) -> pl.DataFrame:
    """The five plan targets first in plan order, any added targets after them by id."""
    rank = {indicator: i for i, indicator in enumerate(INDICATOR_ORDER)}
    return (
        target_gap.with_columns(
            pl.col("indicator_id")
            .replace_strict(rank, default=len(rank), return_dtype=pl.Int64)
            .alias("_rank")
        )
        .sort(["_rank", "indicator_id"])
        .drop("_rank")
    )
