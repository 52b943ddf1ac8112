"""The file format and row rules shared by the two fleet ledgers (bus and taxi)."""

from __future__ import annotations

import polars as pl

from assets.ingest import row_rules as rr
from assets.ingest.dates import with_parsed_dates
from assets.ingest.file_ingest import SourceFormat
from assets.ingest.identifiers import normalise_plate_expr
from assets.ingest.raw_tables import date_fields, header_columns, raw_output


def ledger_format(source: str, table: str) -> SourceFormat:
    """A ledger's columns as raw_tables.yaml names them, plates normalised and pseudonymised,
    the powertrain label upper-cased (the code tables' spelling) and every date parsed."""
    dates = date_fields(table)

    def prepare(frame: pl.DataFrame) -> pl.DataFrame:
        return with_parsed_dates(
            frame.with_columns(pl.col("powertrain_label").str.to_uppercase()), dates
        )

    return SourceFormat(
        source=source,
        table=table,
        columns=header_columns(table),
        identifiers={"plate": normalise_plate_expr},
        prepare=prepare,
        output=lambda frame: raw_output(table, frame),
    )


def known_powertrain(codes: dict[str, list[str]]) -> rr.RowRule:
    label = pl.col("powertrain_label")
    return rr.RowRule(
        "powertrain_label",
        label.is_null() | ~label.is_in(codes["powertrain"]),
        pl.when(label.is_null())
        .then(pl.lit("required value is missing"))
        .otherwise(rr.reason("unknown powertrain label '{}' (not in reference.powertrain)", label)),
    )


def not_before(column: str, earlier: str) -> rr.RowRule:
    later_date, earlier_date = pl.col(f"{column}__date"), pl.col(f"{earlier}__date")
    return rr.RowRule(
        column,
        later_date < earlier_date,
        rr.reason(
            "{} {} precedes {} {}", pl.lit(column), later_date, pl.lit(earlier), earlier_date
        ),
    )
