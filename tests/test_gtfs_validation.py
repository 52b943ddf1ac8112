"""Validation: every real broken feed is rejected with its rule; good feeds load; edge cases."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from assets.gtfs import checks_structure, checks_values, feed_reader, ingest, validation
from assets.gtfs.ingest import ingest_feed_files
from assets.gtfs.notices import rule_catalogue
from tests.test_gtfs_fixtures import (
    LOADED_AT,
    SAMPLE_FEED,
    copy_zip,
    real_feed,
    zip_feed,
)

# folder (or zip) in gtfs_bad_feeds → the rule, file and field the rejection must name
BAD_FEEDS = [
    ("transitfeed_missing_agency", "missing_required_file", "agency.txt", None),
    ("transitfeed_undefined_stop", "foreign_key_violation", "stop_times.txt", "stop_id"),
    ("transitfeed_invalid_route_agency", "foreign_key_violation", "routes.txt", "agency_id"),
    ("transitfeed_duplicate_schedule_id", "duplicate_key", "calendar.txt", "service_id"),
    (
        "transitfeed_duplicate_stop_sequence",
        "non_increasing_stop_sequence",
        "stop_times.txt",
        "stop_sequence",
    ),
    ("transitfeed_bad_date_format", "invalid_date", "calendar.txt", "start_date"),
    (
        "transitfeed_missing_endpoint_times",
        "missing_trip_endpoint_times",
        "stop_times.txt",
        "arrival_time",
    ),
    ("transitfeed_missing_column", "missing_required_column", "agency.txt", "agency_name"),
    ("transitfeed_contains_null", "null_character", "stops.txt", None),
    ("tidytransit_sample-feed-invalid.zip", "missing_required_file", "stop_times.txt", None),
]


def _ingest_one(path: Path):
    outcomes, notices = ingest_feed_files([path], path.parent.parent, LOADED_AT)
    return outcomes[0], notices


def _bad_feed_zip(name: str, tmp_path: Path) -> Path:
    source = real_feed("gtfs_bad_feeds", name)
    target = tmp_path / "gtfs" / f"{Path(name).stem}_20100601.zip"
    return copy_zip(source, target) if source.is_file() else zip_feed(source, target)


@pytest.mark.parametrize(("feed", "code", "file", "field"), BAD_FEEDS)
def test_real_broken_feed_is_rejected_naming_rule_file_and_field(tmp_path, feed, code, file, field):
    outcome, notices = _ingest_one(_bad_feed_zip(feed, tmp_path))
    assert outcome.status == "rejected"
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == (0, 0, 0)
    assert f"GTFS rule {code} broken in {file}" in outcome.reason
    if field:
        assert f"field {field}" in outcome.reason
    errors = notices.filter(pl.col("severity") == "ERROR")
    assert (code, file) in set(zip(errors["code"], errors["file"], strict=True))


def test_undefined_stop_names_the_offending_row_and_value(tmp_path):
    outcome, _ = _ingest_one(_bad_feed_zip("transitfeed_undefined_stop", tmp_path))
    assert outcome.reason.endswith(
        "stop_times.txt row 10 field stop_id: stop_id NADAR is not in stops.txt"
    )


def test_tidytransit_invalid_feed_reports_both_defects(tmp_path):
    _, notices = _ingest_one(_bad_feed_zip("tidytransit_sample-feed-invalid.zip", tmp_path))
    errors = notices.filter(pl.col("severity") == "ERROR").select("code", "file", "field").rows()
    assert errors == [
        ("missing_required_file", "stop_times.txt", None),
        ("missing_required_column", "stops.txt", "stop_id"),
    ]


@pytest.mark.parametrize(
    ("parts", "file_date"),
    [
        (("gtfs_bad_feeds", "transitfeed_good_feed"), "20100601"),
        (("gtfs_cairns", "cairns_gtfs.zip"), "20140601"),
        (("gtfs_hk_xrl_tiny", "gtfs"), "20260126"),
        (("gtfs_fleet_gtfs2emis", "bra_cur_gtfs.zip"), "20190624"),
        (("gtfs_fleet_gtfs2emis", "irl_dub_gtfs.zip"), "20220612"),
        (("gtfs_fleet_gtfs2emis", "usa_det_gtfs.zip"), "20220627"),
    ],
)
def test_real_good_feed_loads_with_warnings_at_most(tmp_path, parts, file_date):
    source = real_feed(*parts)
    target = tmp_path / "gtfs" / f"feed_{file_date}.zip"
    path = copy_zip(source, target) if source.is_file() else zip_feed(source, target)
    outcome, notices = _ingest_one(path)
    assert outcome.status == "accepted", outcome.reason
    assert set(notices["severity"]) <= {"WARNING"}
    assert outcome.rows_read == outcome.rows_loaded > 0


def test_hong_kong_feed_expiring_a_week_after_publication_is_warned(tmp_path):
    path = zip_feed(real_feed("gtfs_hk_xrl_tiny", "gtfs"), tmp_path / "gtfs" / "xrl_20260126.zip")
    _, notices = _ingest_one(path)
    assert notices.select("code", "severity").rows() == [("feed_expiring_soon", "WARNING")]


def _sample_with(tmp_path: Path, name: str, old: str, new: str, file_date="20250701"):
    def edit(file_name, text):
        return text.replace(old, new) if file_name == name else text

    return zip_feed(SAMPLE_FEED, tmp_path / "gtfs" / f"taicang_mini_{file_date}.zip", edit=edit)


@pytest.mark.parametrize(
    ("name", "old", "new", "code", "row", "field"),
    [
        (
            "stop_times.txt",
            "07:06:00,07:06:00",
            "7:6:00,07:06:00",
            "invalid_time",
            2,
            "arrival_time",
        ),
        (
            "stops.txt",
            "31.4550,121.1150",
            "91.4550,121.1150",
            "coordinates_out_of_range",
            2,
            "stop_lat",
        ),
        (
            "stops.txt",
            "31.4550,121.1150",
            "31.4550,181.1150",
            "coordinates_out_of_range",
            2,
            "stop_lon",
        ),
        (
            "trips.txt",
            "R102,WK,T102_0710",
            "R999,WK,T102_0710",
            "foreign_key_violation",
            11,
            "route_id",
        ),
        (
            "trips.txt",
            "R102,WK,T102_0710",
            "R102,XX,T102_0710",
            "foreign_key_violation",
            11,
            "service_id",
        ),
        (
            "trips.txt",
            "0,SH102\nR102,WK,T102_1200",
            "0,SH999\nR102,WK,T102_1200",
            "foreign_key_violation",
            11,
            "shape_id",
        ),
        ("routes.txt", "RS1,TCBUS,S1", "R102,TCBUS,S1", "duplicate_key", 3, "route_id"),
        (
            "calendar_dates.txt",
            "WK,20251002,2",
            "WK,20251002,3",
            "invalid_enum_value",
            2,
            "exception_type",
        ),
        (
            "calendar.txt",
            "20250701,20251231\nSA",
            "20250701,20250601\nSA",
            "start_and_end_range_out_of_order",
            1,
            "end_date",
        ),
        (
            "stop_times.txt",
            "07:15:00,07:15:00,KF01,3",
            "07:05:00,07:05:00,KF01,3",
            "stop_time_with_arrival_before_previous_departure_time",
            3,
            "arrival_time",
        ),
        (
            "stop_times.txt",
            "07:06:00,07:06:00,CX02",
            "07:06:00,07:05:00,CX02",
            "stop_time_with_departure_before_arrival_time",
            2,
            "departure_time",
        ),
        (
            "stop_times.txt",
            "08:35:00,08:35:00,LH01,4",
            ",,LH01,4",
            "missing_trip_endpoint_times",
            12,
            "arrival_time",
        ),
        (
            "stop_times.txt",
            "T101_0700,07:06:00,07:06:00,CX02,2",
            "T101_0700,07:06:00,07:06:00,,2",
            "missing_required_field",
            2,
            "stop_id",
        ),
        (
            "stop_times.txt",
            "CX02,2,1000\nT101_0700",
            "CX02,two,1000\nT101_0700",
            "invalid_number",
            2,
            "stop_sequence",
        ),
    ],
)
def test_must_rule_rejects_sample_feed(tmp_path, name, old, new, code, row, field):
    outcome, notices = _ingest_one(_sample_with(tmp_path, name, old, new))
    first = notices.filter(pl.col("severity") == "ERROR").row(0, named=True)
    assert (outcome.status, first["code"], first["file"], first["row"], first["field"]) == (
        "rejected",
        code,
        name,
        row,
        field,
    )


def test_several_agencies_require_agency_ids_on_routes(tmp_path):
    def edit(name, text):
        if name == "agency.txt":
            return text + "TCX,太仓客运,http://tcx.example.cn,Asia/Shanghai,zh,\n"
        return text.replace("R102,TCBUS,102", "R102,,102") if name == "routes.txt" else text

    path = zip_feed(SAMPLE_FEED, tmp_path / "gtfs" / "taicang_mini_20250701.zip", edit=edit)
    outcome, notices = _ingest_one(path)
    assert notices.filter(pl.col("severity") == "ERROR").select("code", "file", "row").rows() == [
        ("missing_agency_id", "routes.txt", 2)
    ]


def test_feed_published_after_its_last_service_day_is_expired_but_loads(tmp_path):
    outcome, notices = _ingest_one(_sample_with(tmp_path, "agency.txt", "", "", "20260115"))
    assert outcome.status == "accepted" and outcome.warnings == 1
    assert notices.select("code", "message").rows() == [
        ("feed_expired", "last service date 2025-12-31 is before the publication date 2026-01-15")
    ]


def test_feed_expiring_within_30_days_of_its_file_date_warns(tmp_path):
    _, notices = _ingest_one(_sample_with(tmp_path, "agency.txt", "", "", "20251215"))
    assert notices["code"].to_list() == ["feed_expiring_soon"]


def test_every_rule_in_the_catalogue_is_checked_and_every_check_is_catalogued():
    catalogue = set(rule_catalogue()["code"])
    modules = (checks_structure, checks_values, feed_reader, validation, ingest)
    text = "".join(Path(module.__file__).read_text(encoding="utf-8") for module in modules)
    used = set(re.findall(r'"([a-z_]+)"', text)) & catalogue
    assert used == catalogue
    assert set(rule_catalogue()["severity"]) == {"ERROR", "WARNING"}


def test_republished_broken_feed_is_rejected_again_naming_the_original(tmp_path):
    first = _bad_feed_zip("transitfeed_undefined_stop", tmp_path)
    second = copy_zip(first, tmp_path / "gtfs" / "undefined_stop_copy_20100701.zip")
    outcomes, notices = ingest_feed_files([first, second], tmp_path, LOADED_AT)
    assert [o.status for o in outcomes] == ["rejected", "rejected"]
    assert outcomes[1].reason.startswith(
        f"gtfs/{second.name}: byte-identical to gtfs/{first.name}: the same feed version, "
        f"rejected: gtfs/{first.name}: GTFS rule foreign_key_violation"
    )
    assert notices.filter(pl.col("source_file") == f"gtfs/{second.name}")["code"].to_list() == [
        "duplicate_feed_file"
    ]
