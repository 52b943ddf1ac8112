"""The bus operator's ledger (docs/sources.md §2): one sheet 车辆台账, full history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from assets.fleets.rules import known_powertrain, ledger_format, not_before
from assets.ingest import row_rules as rr
from assets.ingest.file_ingest import SourceFormat, ingest_records, new_outcome
from assets.ingest.outcome import FileOutcome, FileRejected
from assets.ingest.raw_tables import header_columns
from assets.ingest.source_run import read_source, relative_name
from assets.ingest.xlsx_files import read_xlsx_sheet

SHEET = "车辆台账"
STATUSES = ["运营", "备用", "停运", "报废"]
TABLE = "raw.bus_fleet"
COLUMNS = header_columns(TABLE)


def bus_format() -> SourceFormat:
    return ledger_format("bus_fleet", TABLE)


def bus_rules(codes: dict[str, list[str]]) -> list[rr.RowRule]:
    return [
        rr.required("fleet_no"),
        rr.first_occurrence("fleet_no"),
        rr.required("plate"),
        rr.number_in_range("length_m", 5, 18),
        rr.number_in_range("seats", 0, None, integer=True, stored_as=pl.Int32),
        known_powertrain(codes),
        rr.required("in_service_on"),
        rr.parsed_date("in_service_on"),
        rr.parsed_date("retired_on"),
        not_before("retired_on", "in_service_on"),
        rr.in_code_table("status", STATUSES, "运营状态"),
        rr.RowRule(
            "retired_on",
            (pl.col("status") == "报废") & pl.col("retired_on").is_null(),
            pl.lit("status 报废 (scrapped) but 报废日期 is blank"),
        ),
    ]


def ingest_bus_file(
    path: Path, data_raw: Path, codes: dict, key: bytes, loaded_at: dt.datetime
) -> FileOutcome:
    data = read_source(path, "bus_fleet", data_raw)
    if isinstance(data, FileOutcome):
        return data
    outcome = new_outcome("bus_fleet", relative_name(path, data_raw), data)
    outcome.encoding = "xlsx"
    try:
        text, numbers, outcome.rows_blank = read_xlsx_sheet(data, outcome.file_name, SHEET)
    except FileRejected as error:
        outcome.reject(error)
        return outcome
    return ingest_records(outcome, text, bus_format(), bus_rules(codes), key, loaded_at, numbers)
