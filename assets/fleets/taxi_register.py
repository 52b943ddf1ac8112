"""The transport bureau's taxi register (docs/sources.md §3): street-hail and ride-hailing cars."""

from __future__ import annotations

from assets.fleets.rules import known_powertrain, ledger_format, not_before
from assets.ingest import row_rules as rr
from assets.ingest.file_ingest import SourceFormat

TAXI_KINDS = ["巡游出租车", "网约车"]
URBAN_AREA = "市区"
TABLE = "raw.taxi_fleet"


def taxi_format() -> SourceFormat:
    return ledger_format("taxi_fleet", TABLE)


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
