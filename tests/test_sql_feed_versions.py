"""marts.dim_gtfs_feed_version from the GTFS audit rows: publication, newest version, validity."""

from __future__ import annotations

import pytest

from assets.gtfs.feed_frames import feed_name_of
from tests.sql_fixtures import Warehouse, day

DIMENSION = "marts.dim_gtfs_feed_version"


def _dimension(wh: Warehouse, columns: str) -> list[tuple]:
    wh.build_only(DIMENSION)
    return wh.rows(f"select {columns} from {DIMENSION} order by feed_version")


def test_newest_is_the_latest_dated_accepted_version_of_each_feed():
    """A version without a date is the newest only in a feed with no dated version; a rejected
    version never is."""
    wh = Warehouse()
    wh.feed("taicang_bus", "2025-01-01", {}, version="a")
    wh.feed("taicang_bus", "2025-06-01", {}, version="b")
    wh.feed("taicang_bus", None, {}, version="c")
    wh.feed("taicang_rail", None, {}, version="d")
    wh.feed("taicang_bus", "2025-07-01", {}, status="rejected", version="e")
    assert _dimension(wh, "feed_version, feed_name, is_newest") == [
        ("a", "taicang_bus", False),
        ("b", "taicang_bus", True),
        ("c", "taicang_bus", False),
        ("d", "taicang_rail", True),
        ("e", "taicang_bus", False),
    ]


def test_a_version_is_valid_until_the_next_accepted_version_of_its_feed():
    wh = Warehouse()
    wh.feed("city", "2025-01-15", {}, version="jan")
    wh.feed("city", "2025-02-01", {}, status="rejected", version="feb-rejected")
    wh.feed("city", "2025-04-01", {}, version="apr")
    wh.feed("city", None, {}, version="undated")
    wh.feed("rail", "2025-03-01", {}, version="rail")
    assert _dimension(wh, "feed_version, valid_from, valid_to") == [
        ("apr", day("2025-04-01"), None),
        # the rejected version neither takes effect nor ends January's
        ("feb-rejected", day("2025-02-01"), None),
        ("jan", day("2025-01-15"), day("2025-04-01")),
        ("rail", day("2025-03-01"), None),
        ("undated", None, None),
    ]


def test_the_same_zip_dropped_twice_is_one_version_published_on_the_earlier_date():
    wh = Warehouse()
    for name, date in (
        ("gtfs/city_20250301.zip", "2025-03-01"),
        ("gtfs/city_20250115.zip", "2025-01-15"),
    ):
        wh.con.execute(
            "insert into audit.source_files (source, file_name, sha256, file_date, status) "
            "values ('gtfs', ?, 'same', ?, 'accepted')",
            [name, day(date)],
        )
    assert _dimension(wh, "feed_version, source_file, published_as, files, file_date") == [
        (
            "same",
            "gtfs/city_20250115.zip",
            "gtfs/city_20250115.zip, gtfs/city_20250301.zip",
            2,
            day("2025-01-15"),
        )
    ]


@pytest.mark.parametrize(
    "file_name",
    ["taicang_bus_20200615.zip", "taicang_bus.zip", "sub/city_north_20250101.ZIP", "x_2025.zip"],
)
def test_the_feed_name_is_the_one_the_ingest_gives(file_name):
    wh = Warehouse()
    wh.con.execute(
        "insert into audit.source_files (source, file_name, sha256, status) "
        "values ('gtfs', ?, 'v', 'accepted')",
        [f"gtfs/{file_name}"],
    )
    assert _dimension(wh, "feed_name") == [(feed_name_of(file_name),)]
