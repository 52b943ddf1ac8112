"""Row robustness through `greentrack run`: a defect in a row quarantines that row, a blank
line is skipped and counted, a ragged GTFS row rejects its feed; none blocks the night.

One whole run here. Its drop breaks rows of five different files at once (each case is
asserted on its own file): a blank required cell of the taxi register, blank lines in the
registrations export and in the survey trips, an infinite trip weight and an overflowing
seat count (one defect per fleet file: two of its 25 rows would be over 5 %). Two GTFS
feeds, one with a short row and one with a long row, are rejected (exit 3, the headline
unmoved) in the run of tests/test_corpus_resources.py, beside the archive bombs.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.fixtures.bad_inputs import taicang_drop as drop
from tests.fixtures.bad_inputs.harness import (
    WAREHOUSE,
    audit_rows,
    headline,
    run_case,
    sha256_file,
)
from tests.test_gtfs_fixtures import SAMPLE_FEED, zip_feed

pytestmark = pytest.mark.slow  # every test here reads one whole pipeline run: make test-slow

REGISTRATIONS, BUSES, TAXIS = drop.REGISTRATIONS, drop.BUS_LEDGER, drop.TAXI_REGISTER
TRIPS = f"{drop.WAVE}/trips.csv"
BLANK_TAXI_ROW, BAD_WEIGHT_TRIP, BIG_SEATS_BUS = 4, 10, 6  # 0-based list indexes
REGISTRATION_COMMAS = 30  # a ",,,,,,,,,," line inserted before this record
TRIP_BLANKS = (40, 60)  # an empty line and a line of blanks inserted before these records


def _row_defects(raw: Path) -> None:
    taxis = drop.taxi_rows()
    taxis[BLANK_TAXI_ROW] = taxis[BLANK_TAXI_ROW].replace(",纯电动,", ",,")
    registrations = drop.registration_rows()
    registrations.insert(REGISTRATION_COMMAS, "," * 10)
    registrations += ["", ""]  # trailing blank lines
    buses = drop.bus_rows()
    buses[BIG_SEATS_BUS] = drop.bus_row(BIG_SEATS_BUS + 1, seats=99999999999999999999)
    trips = drop.trip_rows()
    trips[BAD_WEIGHT_TRIP] = trips[BAD_WEIGHT_TRIP].rsplit(",", 1)[0] + ",Infinity"
    trips.insert(TRIP_BLANKS[1], " , ,\u3000")
    trips.insert(TRIP_BLANKS[0], "")
    drop.write_drop(raw, registrations=registrations, buses=buses, taxis=taxis, trips=trips)


def _ragged_feed(raw: Path, name: str, row: str) -> None:
    """The sample feed with its third stop_times record replaced by `row`."""

    def edit(file_name: str, text: str) -> str:
        if file_name != "stop_times.txt":
            return text
        lines = text.splitlines()
        lines[3] = row
        return "\n".join(lines) + "\n"

    zip_feed(SAMPLE_FEED, raw / name, edit=edit)


SHORT_FEED, LONG_FEED = "gtfs/short-row_20250701.zip", "gtfs/long-row_20250702.zip"


def write_ragged_feeds(raw: Path) -> None:
    """Two feeds whose stop_times.txt row 3 has one value too few and one too many; the
    expected reasons are RAGGED_REASONS. Their whole run is shared with the archive bombs
    (tests/test_corpus_resources.py): each rejects its own feed, and the headline stays."""
    _ragged_feed(raw, SHORT_FEED, "T101_0700,07:15:00,07:15:00,KF01,3")
    _ragged_feed(raw, LONG_FEED, "T101_0700,07:15:00,07:15:00,KF01,3,5800,extra")


RAGGED_REASONS = {
    feed: f"{feed}: GTFS rule invalid_row_length broken in stop_times.txt row 3: "
    f"row has {actual} values, the header has 6"
    for feed, actual in ((SHORT_FEED, 5), (LONG_FEED, 7))
}


def _run(tmp_path_factory, published_before, write, name: str) -> dict:
    root = tmp_path_factory.mktemp(name)
    with pytest.MonkeyPatch.context() as patch:
        result, before = run_case(root, published_before, patch, write)
    published = root / "warehouse" / WAREHOUSE
    with duckdb.connect(str(published), read_only=True) as con:
        audit = audit_rows(con)
        blank = dict(
            con.execute(
                "select file_name, rows_skipped_blank from audit.source_files "
                "where run_id in (select run_id from quality.suite_runs)"
            ).fetchall()
        )
        quarantine = con.execute(
            "select file_name, row_number, column_name, reason from quality.quarantine "
            "order by file_name, row_number"
        ).fetchall()
        failed_error = con.execute(
            "select suite from quality.suite_runs where failed_error > 0"
        ).fetchall()
    return {
        "result": result,
        "unchanged": sha256_file(published) == before,
        "audit": audit,
        "blank": blank,
        "quarantine": quarantine,
        "failed_error": failed_error,
        "headline": headline(root / "warehouse"),
    }


@pytest.fixture(scope="module")
def row_run(tmp_path_factory, published_before) -> dict:
    return _run(tmp_path_factory, published_before, _row_defects, "rows")


def _quarantined(run: dict, file_name: str) -> list[tuple]:
    return [row[1:] for row in run["quarantine"] if row[0] == file_name]


def test_row_defects_publish_with_exit_0_and_block_nothing(row_run):
    result = row_run["result"]
    assert result.code == 0, result.out + result.err
    assert not row_run["unchanged"]
    assert row_run["failed_error"] == []
    assert {row[0] for row in row_run["audit"].values()} == {"accepted"}


def test_blank_required_taxi_cell_quarantines_its_row_naming_the_column(row_run):
    assert _quarantined(row_run, TAXIS) == [
        (BLANK_TAXI_ROW + 1, "powertrain_label", "required value is missing")
    ]
    assert row_run["audit"][TAXIS][2:] == (drop.FLEET_SIZE, drop.FLEET_SIZE - 1, 1)


def test_blank_lines_of_the_registrations_export_are_skipped_and_counted(row_run):
    records = len(drop.registration_rows())
    assert row_run["audit"][REGISTRATIONS] == ("accepted", None, records, records, 0)
    assert row_run["blank"][REGISTRATIONS] == 3
    assert _quarantined(row_run, REGISTRATIONS) == []


def test_blank_lines_of_the_survey_trips_are_skipped_and_counted(row_run):
    assert row_run["blank"][TRIPS] == 2
    trips = len(drop.trip_rows())
    assert row_run["audit"][TRIPS][2:] == (trips, trips - 1, 1)


def test_an_infinite_trip_weight_is_quarantined(row_run):
    # the empty line before record 41 does not move record 11, which is line 11
    assert _quarantined(row_run, TRIPS) == [
        (BAD_WEIGHT_TRIP + 1, "trip_weight", "must be a finite number, got 'Infinity'")
    ]


def test_an_overflowing_seat_count_is_quarantined(row_run):
    assert _quarantined(row_run, BUSES) == [
        (
            BIG_SEATS_BUS + 1,
            "seats",
            "must be an integer that fits a Int32 column, got '100000000000000000000'",
        ),
    ]
    assert row_run["audit"][BUSES][2:] == (drop.FLEET_SIZE, drop.FLEET_SIZE - 1, 1)
