"""Narrow batches for large tables: one frame per group of expectations on the same columns.

GX's pandas engine filters the whole batch frame for every expectation (nulls dropped,
`ignore_row_if`), so on one wide frame of a 5-million-row table most of the time goes into
copying columns the expectation never reads, and the peak memory is the whole table. Here
each group of expectations that read the same columns gets a frame of exactly those
columns. Every expectation used by the suites is either schema-level (column exists, dtype)
or row-wise over its own columns (map, pair and compound expectations), so its result on
its own columns is the result it has on the wide frame: the narrowing is exact.

Three more changes, all exact:
- Date columns arrive as datetime64[ns] and numbers as numpy int64/float64. GX compares
  Arrow-typed columns with a bound value by value in Python; on numpy
  dtypes it compares vectorised. Dates outside datetime64[ns]'s range (before 1677 or after
  2262) cannot be cast; then the batch falls back to Arrow dates. An integer column with
  nulls becomes float64 only when its values are exact in float64 (|v| < 2^53). Sample
  values are turned back into dates.
- In batches of several columns (compound keys) text columns with few distinct values
  arrive dictionary-encoded (pandas categorical): uniqueness then compares small integer
  codes, not strings.
- Each frame carries DuckDB's `rowid`, so the files of the first unexpected rows are looked
  up in the table afterwards rather than carrying `_source_file` (text) through every batch.

Past SLICE_ROWS rows a column group is also cut into row slices, validated one after the
other and merged (`validate.merge_slices`): at provincial scale (50 M registrations) one
column of 64-hex pseudonyms is 3.6 GB in Arrow, and GX's filtered copy of it doubled that.
Row-wise expectations may be cut anywhere (rowid ranges). A uniqueness expectation compares
rows, so its group is cut by a hash of its columns: equal keys share a slice, and the
duplicates counted slice by slice are exactly those of the whole table.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from assets.quality.suite_builder import ExpectationSpec
from pipelines.sql_text import column_list, identifier, qualified

SCHEMA_TYPES = ("expect_column_to_exist", "expect_column_values_to_be_of_type")
UNIQUENESS_TYPES = ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")
# Expectations whose result over a table is the sum of their results over its slices: GX map
# expectations (a verdict per row). A group holding any other kind (a mean, a row count) is
# never sliced.
SLICEABLE_TYPES = (
    *UNIQUENESS_TYPES,
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_match_regex",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_not_be_in_set",
    "expect_column_values_to_be_between",
    "expect_column_pair_values_a_to_be_greater_than_b",
)
ROW_ID = "_gx_rowid"
# Rows per slice of a column group: below it a group is validated whole, above it in slices
# of at most this many rows, so the memory one group needs stays bounded.
SLICE_ROWS = 6_000_000


def schema_only(spec: ExpectationSpec) -> bool:
    """Expectations decided by a column's presence and dtype, not by its values: on a frame
    fetched from DuckDB through Arrow a column's dtype is the same for any subset of rows."""
    return spec.type in SCHEMA_TYPES


EXACT_IN_FLOAT = 2**53
SAMPLE_FOR_DICTIONARY = 10_000


def _numpy_friendly(column: pa.ChunkedArray, compound: bool) -> pa.ChunkedArray | None:
    """The column as it should reach pandas as numpy/categorical, or None to keep it Arrow."""
    kind = column.type
    if pa.types.is_timestamp(kind) or pa.types.is_floating(kind):
        return column
    if pa.types.is_integer(kind):  # GX vectorises int64 only (`dtype in [int, float]`)
        if column.null_count == 0:
            return column.cast(pa.int64()) if kind != pa.uint64() else None
        extremes = pc.min_max(column).values()
        if all(v.as_py() is None or abs(v.as_py()) < EXACT_IN_FLOAT for v in extremes):
            return column.cast(pa.float64())
        return None
    if compound and (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        # Worth it for repeated values (file names, feed versions): a categorical with
        # millions of categories (pseudonyms) costs far more to build than it saves.
        head = column.slice(0, SAMPLE_FOR_DICTIONARY)
        if pc.count_distinct(head).as_py() * 10 <= max(len(head), 1):
            return column.dictionary_encode()
    return None


SMALL_CHUNK_ROWS = 10_000


def _to_pandas(table: pa.Table, compound: bool) -> pd.DataFrame:
    """One conversion of the whole table (a per-column conversion and a dict-of-Series
    frame cost more than GX itself). Chunks are combined only when they are small (a
    result of thousands of 2,048-row vectors): DuckDB's usual ~120 k-row chunks are kept,
    since copying millions of pseudonyms into one chunk costs more than it saves, and
    Arrow-backed pandas columns work on chunks as they are (same results, tested)."""
    chunks = max((column.num_chunks for column in table.columns), default=0)
    if chunks and table.num_rows / chunks < SMALL_CHUNK_ROWS:
        table = table.combine_chunks()
    numpy_like = set()
    for index, name in enumerate(table.column_names):
        friendly = _numpy_friendly(table.column(index), compound)
        if friendly is not None:
            table = table.set_column(index, name, friendly)
            numpy_like.add(name)
    kept = {table.schema.field(name).type for name in table.column_names if name not in numpy_like}

    def mapper(kind: pa.DataType):
        return pd.ArrowDtype(kind) if kind in kept else None

    return table.to_pandas(types_mapper=mapper)


@dataclass
class DomainBatch:
    columns: tuple[str, ...]
    members: list[tuple[int, ExpectationSpec]] = field(default_factory=list)
    built: list = field(default_factory=list)
    frame: pd.DataFrame | None = None
    dates_cast: bool = False
    where: str = ""  # the slice's SQL predicate; empty for the whole table
    slices: int = 1

    def row_ids(self, indices) -> list[int]:
        """DuckDB rowids of the frame positions GX reported (its partial index list)."""
        if self.frame is None or not indices:
            return []
        positions = [i for i in indices if isinstance(i, int) and 0 <= i < len(self.frame)]
        return [int(v) for v in self.frame[ROW_ID].iloc[positions]]

    def restore_values(self, values: list) -> list:
        """Unexpected values as the table holds them: cast dates back to dates."""
        if not self.dates_cast:
            return values
        return [_as_date(v) for v in values]


def _as_date(value):
    if isinstance(value, list | tuple):
        return type(value)(_as_date(v) for v in value)
    if isinstance(value, pd.Timestamp | dt.datetime | np.datetime64) and not pd.isna(value):
        return pd.Timestamp(value).date()
    return value


def _bounds_as_timestamps(built) -> None:
    """GX coerces a date bound ("1980-01-01") to datetime.date, which pandas will not compare
    with datetime64; on a batch whose dates were cast, the bound is cast the same way."""
    for name in ("min_value", "max_value"):
        value = getattr(built, name, None)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            setattr(built, name, pd.Timestamp(value))


def _fetch(
    con, table: str, columns: list[str], types: dict[str, str], where: str = ""
) -> tuple[pd.DataFrame, bool]:
    """The columns plus rowid; dates cast to timestamp_ns when every one fits (the bool)."""
    condition = f" where {where}" if where else ""

    def fetch(select: list[str]) -> pd.DataFrame:
        columns_sql = ", ".join([*select, f"rowid as {ROW_ID}"])
        arrow = con.sql(f"select {columns_sql} from {qualified(table)}{condition}")
        return _to_pandas(arrow.to_arrow_table(), compound=len(columns) > 1)

    plain = [identifier(c) for c in columns]
    if not any(types.get(c) == "DATE" for c in columns):
        return fetch(plain), False
    try:
        return fetch(
            [
                f"{identifier(c)}::timestamp_ns as {identifier(c)}"
                if types.get(c) == "DATE"
                else identifier(c)
                for c in columns
            ]
        ), True
    except duckdb.Error:  # a date outside datetime64[ns]'s range: keep Arrow dates
        return fetch(plain), False


def slice_predicates(
    con: duckdb.DuckDBPyConnection, table: str, rows: int, key: tuple[str, ...] | None
) -> list[str]:
    """SQL predicates cutting `table` into slices of about SLICE_ROWS rows ([""] when it
    needs none): by hash of `key` when given (uniqueness), else by rowid range."""
    slices = math.ceil(rows / SLICE_ROWS)
    if slices <= 1:
        return [""]
    if key:
        hashed = f"hash({column_list(list(key))})"
        return [f"{hashed} % {slices} = {i}" for i in range(slices)]
    ((end,),) = con.execute(
        f"select coalesce(max(rowid), -1) + 1 from {qualified(table)}"
    ).fetchall()
    size = math.ceil(end / slices)
    return [f"rowid >= {i * size} and rowid < {(i + 1) * size}" for i in range(slices)]


def domain_batches(
    con: duckdb.DuckDBPyConnection,
    table: str,
    types: dict[str, str],
    expectations: list[tuple[int, ExpectationSpec, object]],
    rows: int = 0,
) -> Iterator[DomainBatch]:
    """One batch per distinct column set and slice (see SLICE_ROWS), in first-use order;
    frames are fetched lazily so only one slice of one group is in memory at a time.
    `types` is column_types(table), `rows` its row count."""
    groups: dict[tuple[str, ...], DomainBatch] = {}
    for index, spec, built in expectations:
        key = tuple(c for c in spec.columns if c in types)
        batch = groups.setdefault(key, DomainBatch(key))
        batch.members.append((index, spec))
        batch.built.append(built)
    for group in groups.values():
        unique = any(spec.type in UNIQUENESS_TYPES for _, spec in group.members)
        sliceable = all(spec.type in SLICEABLE_TYPES for _, spec in group.members)
        predicates = (
            slice_predicates(con, table, rows, group.columns if unique else None)
            if sliceable
            else [""]
        )
        for where in predicates:
            # GX binds an expectation to the suite it joins: each slice gets fresh copies
            # (with the bounds as GX made them, before any cast below)
            built = group.built if len(predicates) == 1 else [copy.copy(b) for b in group.built]
            batch = DomainBatch(
                group.columns,
                group.members,
                built,
                where=where,
                slices=len(predicates),
            )
            batch.frame, batch.dates_cast = _fetch(con, table, list(batch.columns), types, where)
            if batch.dates_cast:
                for expectation in batch.built:
                    _bounds_as_timestamps(expectation)
            yield batch
            batch.frame = None


def files_of_rows(con: duckdb.DuckDBPyConnection, table: str, row_ids: list[int]) -> list[str]:
    """The `_source_file` of the given rows (at most GX's partial list of 20)."""
    rows = con.execute(
        f"select distinct _source_file from {qualified(table)} where rowid = any(?) "
        "and _source_file is not null order by 1",
        [row_ids],
    ).fetchall()
    return [row[0] for row in rows]
