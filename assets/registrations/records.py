"""The registrations export (docs/sources.md §1): columns, row rules and the raw table's shape."""

from __future__ import annotations

import polars as pl

from assets.ingest import row_rules as rr
from assets.ingest.dates import with_parsed_dates
from assets.ingest.file_ingest import SourceFormat
from assets.ingest.identifiers import (
    normalise_plate_expr,
    normalise_vin_expr,
    plate_format_ok_expr,
    vin_check_digit_ok_expr,
    vin_format_ok_expr,
)
from assets.ingest.raw_tables import date_fields, header_columns, raw_output

TABLE = "raw.registrations"
COLUMNS = header_columns(TABLE)
DATE_COLUMNS = date_fields(TABLE)


def _prepare(frame: pl.DataFrame) -> pl.DataFrame:
    prepared = frame.with_columns(
        pl.col("plate_type").str.zfill(2),
        pl.col("usage").str.to_uppercase(),
        pl.col("fuel").str.to_uppercase(),
        pl.col("status").str.to_uppercase(),
        pl.col("vehicle_type").str.to_uppercase(),
    )
    return with_parsed_dates(prepared, DATE_COLUMNS)


def registration_format() -> SourceFormat:
    return SourceFormat(
        source="registrations",
        table=TABLE,
        columns=COLUMNS,
        identifiers={"plate": normalise_plate_expr, "vin": normalise_vin_expr},
        prepare=lambda frame: _prepare(frame).with_columns(
            vin_check_digit_ok_expr(pl.col("vin")).alias("vin_check_digit_ok")
        ),
        output=lambda frame: raw_output(TABLE, frame),
        warning=pl.col("vin_check_digit_ok").not_(),
    )


def registration_rules(codes: dict[str, list[str]]) -> list[rr.RowRule]:
    is_new_energy = pl.col("plate_type").is_in(codes["new_energy_plate_type"])
    leaves = pl.col("status").str.contains("[EB]").fill_null(False)
    return [
        rr.required("plate"),
        rr.required("plate_type"),
        rr.in_code_table("plate_type", codes["plate_type"], "plate_type"),
        rr.RowRule(
            "plate",
            ~plate_format_ok_expr(pl.col("plate"), is_new_energy),
            rr.reason(
                "plate format: plate_type {} needs {} characters after province and letter",
                pl.col("plate_type"),
                pl.when(is_new_energy).then(pl.lit("6")).otherwise(pl.lit("5")),
            ),
        ),
        rr.RowRule(
            "vin",
            pl.col("vin").is_not_null() & ~vin_format_ok_expr(pl.col("vin")),
            pl.lit("VIN must be 17 characters of A-Z/0-9 without I, O, Q"),
        ),
        rr.in_code_table("vehicle_type", codes["vehicle_type"], "vehicle_type"),
        rr.in_code_table("usage", codes["usage"], "usage"),
        rr.letters_in_code_table("fuel", codes["fuel"], "fuel"),
        rr.required("first_registered_on"),
        rr.parsed_date("first_registered_on"),
        rr.letters_in_code_table("status", codes["vehicle_status"], "vehicle_status"),
        rr.parsed_date("status_changed_on"),
        rr.RowRule(
            "status_changed_on",
            leaves & pl.col("status_changed_on").is_null(),
            rr.reason("required when status is '{}' (contains E or B)", pl.col("status")),
        ),
        rr.RowRule(
            "admin_code",
            pl.col("admin_code").is_not_null()
            & ~pl.col("admin_code").str.contains(r"^(\d{9}|\d{12})$"),
            rr.reason("division code must have 9 or 12 digits, got '{}'", pl.col("admin_code")),
        ),
    ]
