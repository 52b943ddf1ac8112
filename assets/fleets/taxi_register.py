"""The transport bureau's taxi register (docs/sources.md §3): street-hail and ride-hailing cars."""

from __future__ import annotations

import polars as pl

from assets.fleets.rules import known_powertrain, not_before
from assets.ingest import row_rules as rr
from assets.ingest.dates import with_parsed_dates
from assets.ingest.file_ingest import SourceFormat
from assets.ingest.identifiers import normalise_plate_expr
from assets.ingest.raw_tables import date_fields, header_columns, raw_output

TAXI_KINDS = ["巡游出租车", "网约车"]
URBAN_AREA = "市区"
TABLE = "raw.taxi_fleet"
COLUMNS = header_columns(TABLE)
DATE_COLUMNS = date_fields(TABLE)


def _prepare(frame: pl.DataFrame) -> pl.DataFrame:
    return with_parsed_dates(
        frame.with_columns(pl.col("powertrain_label").str.to_uppercase()), DATE_COLUMNS
    )


def taxi_format() -> SourceFormat:
    return SourceFormat(
        source="taxi_fleet",
        table=TABLE,
        columns=COLUMNS,
        identifiers={"plate": normalise_plate_expr},
        prepare=_prepare,
        output=lambda frame: raw_output(TABLE, frame),
    )


def taxi_rules(codes: dict[str, list[str]]) -> list[rr.RowRule]:
    return [
        rr.required("company"),
        rr.required("plate"),
        rr.required("taxi_kind"),
        rr.in_code_table("taxi_kind", TAXI_KINDS, "车辆类别"),
        known_powertrain(codes),
        rr.required("operating_area"),
        rr.in_code_table("operating_area", [URBAN_AREA, *codes["town_label"]], "经营区域"),
        rr.required("in_service_on"),
        rr.parsed_date("in_service_on"),
        rr.parsed_date("exited_on"),
        not_before("exited_on", "in_service_on"),
    ]
