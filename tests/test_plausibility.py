"""The plausibility gate, rule by rule, on hand-made outcomes (no warehouse needed except for
the published-previous lookup, which reads a tiny DuckDB file)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from assets.ingest import plausibility
from assets.ingest.discovery import GTFS, REGISTRATIONS, SURVEYS, SourceFile
from assets.ingest.outcome import FileOutcome, FileRejected
from assets.ingest.plausibility import Version, judge, same_date_clashes
from assets.ingest.spool import SpooledFrame
from assets.ingest.xlsx_files import read_xlsx_sheet
from pipelines import project

TODAY = dt.date(2025, 12, 1)
DROP = 0.20


def outcome(name: str, rows: int, day: str | None = "20251031", sha: str | None = None):
    file_date = dt.datetime.strptime(day, "%Y%m%d").date() if day else None
    result = FileOutcome("registrations", name, sha or f"sha-{name}", file_date)
    result.rows_read = rows
    result.loaded = {"raw.registrations": pl.DataFrame({"x": list(range(rows))})}
    return result


def judged(outcomes, published=(), series_of=REGISTRATIONS.series_of):
    return judge(list(outcomes), series_of, list(published), TODAY, DROP)


def test_a_header_only_file_is_rejected_and_loads_nothing():
    empty = outcome("registrations/registrations_20251031.csv", 0)
    assert judged([empty]) == [empty]
    assert (empty.status, empty.reason) == (
        "rejected",
        "registrations/registrations_20251031.csv: header-only: the file holds no records",
    )
    assert (empty.rows_read, empty.rows_loaded, empty.rows_quarantined) == (0, 0, 0)


def test_a_header_only_newest_file_leaves_the_older_one_accepted():
    older = outcome("registrations/registrations_20250930.csv", 100, "20250930")
    newer = outcome("registrations/registrations_20251031.csv", 0)
    judged([newer, older])
    assert (older.status, newer.status) == ("accepted", "rejected")


@pytest.mark.parametrize(("rows", "status"), [(80, "accepted"), (79, "rejected")])
def test_a_drop_beyond_the_allowed_share_rejects(rows, status):
    older = outcome("registrations/registrations_20250930.csv", 100, "20250930")
    newer = outcome("registrations/registrations_20251031.csv", rows)
    judged([older, newer])
    assert newer.status == status
    if status == "rejected":
        assert newer.reason == (
            "registrations/registrations_20251031.csv: 79 records, fewer than 80% of the 100 "
            "of the previous accepted version registrations/registrations_20250930.csv "
            "(GREENTRACK_MAX_ROW_DROP=0.2)"
        )


def test_a_rejected_version_is_nobodys_previous_version():
    first = outcome("registrations/registrations_20250831.csv", 100, "20250831")
    dropped = outcome("registrations/registrations_20250930.csv", 50, "20250930")
    third = outcome("registrations/registrations_20251031.csv", 60)  # 60 < 80 % of 100
    judged([first, dropped, third])
    assert [o.status for o in (first, dropped, third)] == ["accepted", "rejected", "rejected"]


def test_without_an_earlier_file_in_the_run_the_published_version_is_the_previous():
    newer = outcome("registrations/registrations_20251130.csv", 70, "20251130")
    published = [
        Version("registrations/registrations_20250930.csv", "a", dt.date(2025, 9, 30), 1000),
        Version("registrations/registrations_20251031.csv", "b", dt.date(2025, 10, 31), 100),
        Version("registrations/registrations_20251231.csv", "c", dt.date(2025, 12, 31), 5000),
    ]
    judged([newer], published)
    assert newer.status == "rejected"
    assert "the 100 of the previous accepted version registrations/registrations_20251031.csv" in (
        newer.reason
    )


def test_the_current_content_of_a_corrected_file_is_the_previous_version():
    newer = outcome("registrations/registrations_20251130.csv", 85, "20251130")
    name, day = "registrations/registrations_20251031.csv", dt.date(2025, 10, 31)
    published = [Version(name, "old", day, 50, False), Version(name, "new", day, 100, True)]
    judged([newer], published)
    assert newer.status == "accepted"
    newer = outcome("registrations/registrations_20251130.csv", 79, "20251130")
    judged([newer], published)
    assert newer.status == "rejected"


def test_the_same_version_published_before_is_not_its_own_previous():
    same = outcome("registrations/registrations_20251031.csv", 10, sha="b")
    published = [
        Version("registrations/registrations_20251031.csv", "b", dt.date(2025, 10, 31), 10),
    ]
    judged([same], published)
    assert same.status == "accepted"


def test_survey_files_compare_with_the_same_file_published_before():
    trips = outcome("surveys/2024/trips.csv", 50, day=None)
    other = outcome("surveys/2019/trips.csv", 400, day=None)
    published = [
        Version("surveys/2024/trips.csv", "old", None, 100),
        Version("surveys/2019/trips.csv", "o19", None, 400),
        Version("surveys/2024/persons.csv", "p", None, 10),
    ]
    judged([trips, other], published, SURVEYS.series_of)
    assert (trips.status, other.status) == ("rejected", "accepted")
    assert "the 100 of the previous accepted version surveys/2024/trips.csv" in trips.reason


def test_gtfs_versions_compare_per_feed_name_and_skip_republished_copies():
    bus = outcome("gtfs/taicang_bus_20250101.zip", 1000, "20250101")
    bus_new = outcome("gtfs/taicang_bus_20250701.zip", 900, "20250701")
    small_feed = outcome("gtfs/ferry_20250801.zip", 10, "20250801")  # another feed_name
    copy = outcome("gtfs/taicang_bus_repost_20250715.zip", 0, "20250715")
    copy.duplicate_of = bus_new.file_name
    judged([bus, bus_new, small_feed, copy], series_of=GTFS.series_of)
    assert [o.status for o in (bus, bus_new, small_feed, copy)] == ["accepted"] * 4


def test_a_copy_of_a_refused_feed_is_refused_too():
    feed = outcome("gtfs/taicang_bus_20991231.zip", 10, "20991231")
    copy = outcome("gtfs/taicang_bus_repost_20250715.zip", 0, "20250715")
    copy.duplicate_of = feed.file_name
    judged([feed, copy], series_of=GTFS.series_of)
    assert copy.status == "rejected"
    assert "byte-identical to gtfs/taicang_bus_20991231.zip, rejected:" in copy.reason


@pytest.mark.parametrize(("day", "status"), [("20251201", "accepted"), ("20251202", "rejected")])
def test_a_file_dated_after_the_day_of_the_run_is_rejected(day, status):
    file = outcome(f"registrations/registrations_{day}.csv", 10, day)
    judged([file])
    assert file.status == status
    if status == "rejected":
        assert file.reason.endswith("file date 2025-12-02 is after the day of the run (2025-12-01)")


def test_the_day_of_the_run_is_the_date_in_china(monkeypatch):
    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2025, 10, 31, 17, 30, tzinfo=dt.UTC).astimezone(tz)

    monkeypatch.setattr(plausibility.dt, "datetime", Clock)
    assert plausibility.run_day() == dt.date(2025, 11, 1)  # 01:30 the next day in Taicang


def test_files_already_rejected_are_not_judged_again():
    bad = outcome("registrations/registrations_20251031.csv", 0)
    bad.reject(FileRejected(bad.file_name, "unreadable: Permission denied"))
    assert judged([bad]) == []
    assert bad.reason.endswith("unreadable: Permission denied")


def test_a_rejected_file_loses_its_spooled_rows(tmp_path, monkeypatch):
    monkeypatch.setenv("GREENTRACK_WAREHOUSE_DIR", str(tmp_path))  # the spool lives there
    file = outcome("registrations/registrations_20251031.csv", 0)
    spooled = SpooledFrame(schema={"x": pl.Int64})
    spooled.append(pl.DataFrame({"x": [1]}))
    paths = list(spooled.paths)
    file.loaded = {"raw.registrations": spooled}
    judged([file])
    assert file.loaded == {} and not any(Path(p).exists() for p in paths)


def _file(name: str, day: str | None, series: str = "registrations") -> SourceFile:
    date = dt.datetime.strptime(day, "%Y%m%d").date() if day else None
    return SourceFile(Path(name), name, series, date)


def test_two_files_with_one_date_are_both_refused_each_naming_both():
    lower = _file("registrations/registrations_20251031.csv", "20251031")
    upper = _file("registrations/registrations_20251031.CSV", "20251031")
    other = _file("registrations/registrations_20250930.csv", "20250930")
    reason = (
        "2 files share the date 2025-10-31: registrations/registrations_20251031.csv and "
        "registrations/registrations_20251031.CSV; all are rejected"
    )
    assert same_date_clashes([other, lower, upper]) == [(lower, reason), (upper, reason)]


def test_one_date_in_two_gtfs_feeds_is_no_clash_but_in_one_feed_it_is():
    bus = _file("gtfs/taicang_bus_20250701.zip", "20250701", "taicang_bus")
    ferry = _file("gtfs/ferry_20250701.zip", "20250701", "ferry")
    bus_copy = _file("gtfs/taicang_bus_20250701.ZIP", "20250701", "taicang_bus")
    assert same_date_clashes([bus, ferry]) == []
    assert [f for f, _ in same_date_clashes([bus, ferry, bus_copy])] == [bus, bus_copy]


def test_two_spellings_of_one_survey_file_clash():
    lower = _file("surveys/2024/trips.csv", None, "2024/trips")
    upper = _file("surveys/2024/trips.CSV", None, "2024/trips")
    clashes = same_date_clashes([lower, upper])
    assert clashes[0][1] == (
        "2 files share one file (2024/trips): surveys/2024/trips.csv and "
        "surveys/2024/trips.CSV; all are rejected"
    )


def test_published_versions_come_from_the_published_audit(tmp_path, monkeypatch):
    monkeypatch.setenv("GREENTRACK_WAREHOUSE_DIR", str(tmp_path))
    assert plausibility.published_versions("registrations") == []  # no published file yet
    with duckdb.connect(str(project.published_warehouse_path())) as con:
        con.execute("create schema audit")
        con.execute(
            "create table audit.source_files as select * from (values "
            "('registrations', 'registrations/registrations_20251031.csv', 'a', "
            "date '2025-10-31', 74, 'accepted', true), "
            "('registrations', 'registrations/registrations_20251130.csv', 'b', "
            "date '2025-11-30', 0, 'rejected', true), "
            "('taxi_fleet', 'taxi_fleet/taxi_fleet_20251031.csv', 'c', "
            "date '2025-10-31', 25, 'accepted', true)) "
            "as t(source, file_name, sha256, file_date, rows_read, status, is_current)"
        )
    assert plausibility.published_versions("registrations") == [
        Version("registrations/registrations_20251031.csv", "a", dt.date(2025, 10, 31), 74)
    ]


@pytest.mark.parametrize(
    ("value", "share"), [(None, 0.2), ("0.5", 0.5), ("0", 0.0), ("1.5", 0.2), ("lots", 0.2)]
)
def test_the_allowed_drop_comes_from_the_environment(monkeypatch, value, share):
    if value is None:
        monkeypatch.delenv("GREENTRACK_MAX_ROW_DROP", raising=False)
    else:
        monkeypatch.setenv("GREENTRACK_MAX_ROW_DROP", value)
    assert project.max_row_drop() == share


def _ledger(state: str | None) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.active.append(["x"])
    ledger = book.create_sheet("车辆台账")
    ledger.append(["车辆自编号"])
    ledger.append(["B001"])
    if state:
        ledger.sheet_state = state
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_ledger_sheet_rejects_the_file_naming_the_sheet(state):
    with pytest.raises(FileRejected) as error:
        read_xlsx_sheet(_ledger(state), "bus_fleet/bus_fleet_20251031.xlsx", "车辆台账")
    assert str(error.value) == (
        f"bus_fleet/bus_fleet_20251031.xlsx: sheet '车辆台账' is hidden ({state})"
    )


def test_a_visible_ledger_sheet_is_read():
    frame, numbers, _ = read_xlsx_sheet(_ledger(None), "bus_fleet/b.xlsx", "车辆台账")
    assert frame.to_dicts() == [{"车辆自编号": "B001"}] and numbers.to_list() == [1]
