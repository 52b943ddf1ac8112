"""The raw tables and their source headers, read from `raw_tables.yaml`: the one definition.

Ingest takes its header specs (`header_columns`), the fields it parses as dates
(`date_fields`) and the shape of the rows it writes (`raw_output`) from here; the raw.* suites
take their schema checks (`suite_columns`), the demo generator and the tests their headers
(`source_headers`), and docs/raw_tables.md its tables. A header, a column or a type changes
in the YAML file and nowhere else.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import yaml

from assets.ingest.columns import Column

DEFINITION = Path(__file__).with_name("raw_tables.yaml")
DTYPES = {
    "varchar": pl.String,
    "integer": pl.Int32,
    "bigint": pl.Int64,
    "double": pl.Float64,
    "date": pl.Date,
    "boolean": pl.Boolean,
}


@dataclass(frozen=True)
class RawColumn:
    """One column of a raw table and, unless ingest computes it, the source column it is
    read from (`field`, by its English name) under the header the source writes."""

    name: str
    type: str
    field: str
    header: str
    required: bool = True
    computed: bool = False
    note: str = ""


@dataclass(frozen=True)
class LineageColumn:
    name: str
    type: str
    note: str
    in_suites: bool


@dataclass(frozen=True)
class RawTable:
    name: str  # schema.table
    source: str
    grain: str
    columns: tuple[RawColumn, ...]
    file: str = ""  # the file of the source it is read from, where a source has several
    undated: bool = False  # no date in the file names: `_file_date` is null

    @property
    def read_columns(self) -> list[RawColumn]:
        """The columns read from the source file, in the order the source writes them."""
        return [c for c in self.columns if not c.computed]


def _column(entry: dict) -> RawColumn:
    if entry["type"] not in DTYPES:
        raise ValueError(f"{DEFINITION.name}: {entry['name']}: unknown type {entry['type']!r}")
    field = entry.get("field", entry["name"])
    return RawColumn(
        name=entry["name"],
        type=entry["type"],
        field=field,
        header=str(entry.get("header", field)),
        required=bool(entry.get("required", True)),
        computed=bool(entry.get("computed", False)),
        note=str(entry.get("note", "")),
    )


@functools.cache
def _definition() -> dict:
    return yaml.safe_load(DEFINITION.read_text(encoding="utf-8"))


@functools.cache
def raw_tables() -> dict[str, RawTable]:
    """Every raw table of the non-GTFS sources, by `schema.table`, in definition order."""
    return {
        name: RawTable(
            name=name,
            source=entry["source"],
            grain=entry["grain"],
            columns=tuple(_column(c) for c in entry["columns"]),
            file=entry.get("file", ""),
            undated=bool(entry.get("undated", False)),
        )
        for name, entry in _definition()["tables"].items()
    }


@functools.cache
def lineage_columns() -> tuple[LineageColumn, ...]:
    """The lineage columns every raw table ends with."""
    return tuple(
        LineageColumn(e["name"], e["type"], e["note"], bool(e.get("suites", False)))
        for e in _definition()["lineage"]
    )


def raw_table(name: str) -> RawTable:
    return raw_tables()[name]


def header_columns(table: str) -> list[Column]:
    """Ingest's header specs: each read column by its English field name and its header."""
    return [Column(c.field, c.header, c.required) for c in raw_table(table).read_columns]


def source_headers(table: str) -> list[str]:
    """The headers of the source file, in the order the source writes them."""
    return [c.header for c in raw_table(table).read_columns]


def headers_by_field(table: str) -> dict[str, str]:
    """{English field name: header} of the read columns, to rename a frame of fields."""
    return {c.field: c.header for c in raw_table(table).read_columns}


def date_fields(table: str) -> tuple[str, ...]:
    """The fields ingest parses as dates."""
    return tuple(c.field for c in raw_table(table).read_columns if c.type == "date")


def _value(column: RawColumn) -> pl.Expr:
    """A read field as stored: dates as parsed (`<field>__date`), numbers cast from text
    (the row rules have already quarantined values that are not numbers of the type)."""
    if column.type == "date":
        return pl.col(f"{column.field}__date")
    if column.type in ("integer", "bigint", "double"):
        as_number = pl.col(column.field).cast(pl.Float64, strict=False)
        return as_number.cast(DTYPES[column.type], strict=False)
    return pl.col(column.field)


def raw_output(table: str, frame: pl.DataFrame, **computed: pl.Expr) -> pl.DataFrame:
    """The rows of `table` from prepared records: its columns in order, each of its type.

    A computed column is the frame's column of that name unless `computed` gives it.
    """
    return frame.select(
        (computed.get(c.name, pl.col(c.name)) if c.computed else _value(c)).alias(c.name)
        for c in raw_table(table).columns
    )


def suite_columns(table: str) -> dict[str, str]:
    """The schema a raw.* suite checks: every column with its type, then the lineage columns
    the suites check (`_file_date` only where file names carry a date). Empty for a table
    not defined here (the GTFS tables)."""
    if table not in raw_tables():
        return {}
    spec = raw_table(table)
    columns = {c.name: c.type for c in spec.columns}
    for lineage in lineage_columns():
        if lineage.in_suites and not (spec.undated and lineage.name == "_file_date"):
            columns[lineage.name] = lineage.type
    return columns


def table_ddl(table: str) -> str:
    """`name type, …` of the table's columns and the lineage columns, for `create table`."""
    columns = [f"{c.name} {c.type}" for c in raw_table(table).columns]
    columns += [f"{c.name} {c.type.split()[0]}" for c in lineage_columns()]
    return ", ".join(columns)
