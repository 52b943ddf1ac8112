"""GTFS rows must have as many values as their header (MobilityData's invalid_row_length);
blank records are skipped and counted, as in every other source."""

from __future__ import annotations

import polars as pl
import pytest

from assets.gtfs.feed_reader import read_feed_content
from tests.test_gtfs_fixtures import SAMPLE_FEED, zip_feed
from tests.test_gtfs_validation import _ingest_one

HEADER = "trip_id,arrival_time,departure_time,stop_id,stop_sequence,shape_dist_traveled"


def _feed_with_stop_times(tmp_path, lines: list[str]):
    """The sample feed with stop_times.txt replaced by HEADER and `lines`."""
    text = "\n".join([HEADER, *lines]) + "\n"
    target = tmp_path / "gtfs" / "taicang_mini_20250701.zip"
    return zip_feed(SAMPLE_FEED, target, edit=lambda n, t: text if n == "stop_times.txt" else t)


def _sample_stop_times() -> list[str]:
    return (SAMPLE_FEED / "stop_times.txt").read_text(encoding="utf-8").splitlines()[1:]


@pytest.mark.parametrize(
    ("row", "actual"),
    [
        ("T101_0700,07:15:00,07:15:00,KF01,3", 5),  # one value short: loaded silently before
        ("T101_0700,07:15:00,07:15:00,KF01,3,5800,9", 7),  # one too many
    ],
    ids=["short", "long"],
)
def test_a_ragged_row_rejects_the_feed_naming_file_row_and_counts(tmp_path, row, actual):
    lines = _sample_stop_times()
    lines[2] = row  # data row 3
    outcome, notices = _ingest_one(_feed_with_stop_times(tmp_path, lines))
    assert outcome.status == "rejected"
    message = f"row has {actual} values, the header has 6"
    assert outcome.reason == (
        f"{outcome.file_name}: GTFS rule invalid_row_length broken in stop_times.txt row 3: "
        f"{message}"
    )
    errors = notices.filter(pl.col("severity") == "ERROR")
    assert errors.select("code", "file", "row", "field", "message").rows() == [
        ("invalid_row_length", "stop_times.txt", 3, None, message)
    ]


def test_a_ragged_row_is_numbered_by_records_not_lines(tmp_path):
    # a quoted headsign holding a newline spans two lines but is one record (row 1)
    files = {"trips.txt": 'route_id,service_id,trip_id,trip_headsign\nR101,WK,T1,"上\n下"\n'}
    files["trips.txt"] += "R101,WK,T2\nR101,WK,T3,东\n"
    target = tmp_path / "f.zip"
    feed = zip_feed(SAMPLE_FEED, target, edit=lambda n, t: files.get(n, t))
    notices = read_feed_content(feed.read_bytes()).notices
    assert notices.select("code", "file", "row", "message").rows() == [
        ("invalid_row_length", "trips.txt", 2, "row has 3 values, the header has 4")
    ]


def test_blank_lines_of_a_gtfs_file_are_skipped_counted_and_keep_row_numbers(tmp_path):
    lines = _sample_stop_times()
    count = len(lines)
    lines.insert(5, "")  # an empty line: never a record
    lines.insert(10, "   ")  # blanks only: never a record
    lines.insert(15, ",,,,,")  # only commas: a record of empty values (row 14), skipped
    lines.append(",,")  # a short row of empty values is blank too, not ragged
    outcome, notices = _ingest_one(_feed_with_stop_times(tmp_path, lines))
    assert outcome.status == "accepted", outcome.reason
    assert notices.filter(pl.col("severity") == "ERROR").is_empty()
    stop_times = outcome.loaded["raw.gtfs_stop_times"]
    numbers = stop_times.get_column("_row_number").to_list()
    assert len(numbers) == count
    assert numbers == [n for n in range(1, count + 2) if n != 14]
    assert outcome.rows_blank == 3  # "   ", ",,,,," and ",,": the empty line is not counted
