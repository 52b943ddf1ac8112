"""The transport bureau's taxi register (sources.md §3): street-hail and ride-hailing cars."""

from __future__ import annotations

import polars as pl

from assets.fleets.rules import known_powertrain, not_before
from assets.ingest import row_rules as rr
from assets.ingest.columns import Column
from assets.ingest.dates import with_parsed_dates
from assets.ingest.file_ingest import SourceFormat
from assets.ingest.identifiers import normalise_plate_expr

TAXI_KINDS = ["巡游出租车", "网约车"]
URBAN_AREA = "市区"
COLUMNS = [
    Column("company", "经营者"),
    Column("plate", "号牌号码"),
    Column("taxi_kind", "车辆类别"),
    Column("powertrain_label", "燃料类型"),
    Column("operating_area", "经营区域"),
    Column("in_service_on", "投入运营日期"),
    Column("exited_on", "退出日期"),
]
DATE_COLUMNS = ("in_service_on", "exited_on")


def _prepare(frame: pl.DataFrame) -> pl.DataFrame:
    return with_parsed_dates(
        frame.with_columns(pl.col("powertrain_label").str.to_uppercase()), DATE_COLUMNS
    )


def _output(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        "company",
        pl.col("plate").alias("plate_pseudonym"),
        "taxi_kind",
        "powertrain_label",
        "operating_area",
        pl.col("in_service_on__date").alias("in_service_on"),
        pl.col("exited_on__date").alias("exited_on"),
    )


def taxi_format() -> SourceFormat:
    return SourceFormat(
        source="taxi_fleet",
        table="raw.taxi_fleet",
        columns=COLUMNS,
        identifiers={"plate": normalise_plate_expr},
        prepare=_prepare,
        output=_output,
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
