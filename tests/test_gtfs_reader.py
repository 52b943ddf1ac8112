"""Reading feeds: zip layouts, encodings, extra files and columns, unreadable input."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import polars as pl
import pytest

from assets.gtfs.feed_frames import FeedKeys, feed_name_of, raw_frame
from assets.gtfs.feed_reader import feed_members, read_feed_content
from tests.test_gtfs_fixtures import SAMPLE_FEED, zip_feed

KEYS = FeedKeys(
    "sha", "taicang_mini", "gtfs/taicang_mini_20250701.zip", None, dt.datetime(2025, 7, 1)
)


def _zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _sample_files() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(SAMPLE_FEED.glob("*.txt"))}


@pytest.mark.parametrize(
    ("file_name", "feed_name"),
    [
        ("taicang_bus_20200615.zip", "taicang_bus"),
        ("taicang_bus_repost_20200615.ZIP", "taicang_bus_repost"),
        ("feed.zip", "feed"),
    ],
)
def test_feed_name_is_the_file_name_without_its_date(file_name, feed_name):
    assert feed_name_of(file_name) == feed_name


def test_zip_with_a_top_folder_and_mac_debris_reads_the_same():
    files = {f"taicang/{name}": data for name, data in _sample_files().items()}
    files["__MACOSX/taicang/._stops.txt"] = b"\x00\x05junk"
    members = feed_members(_zip_bytes(files))
    assert sorted(members) == sorted(name.removesuffix(".txt") for name in _sample_files())


def test_extra_files_are_ignored_and_extra_columns_kept_as_json():
    content = read_feed_content(_zip_bytes(_sample_files()))
    assert "translations" in content.headers and "translations" not in content.tables
    routes = raw_frame("routes", content.table("routes"), KEYS)
    assert routes.select("route_id", "_extra", "_row_number").rows() == [
        ("R101", '{"route_sort_order":"1"}', 1),
        ("R102", '{"route_sort_order":"2"}', 2),
        ("RS1", '{"route_sort_order":"3"}', 3),
    ]


def test_feed_info_version_is_renamed_to_keep_our_feed_version_key():
    content = read_feed_content(_zip_bytes(_sample_files()))
    feed_info = raw_frame("feed_info", content.table("feed_info"), KEYS)
    assert feed_info.select("feed_version", "feed_info_version").rows() == [("sha", "2025.07")]


def test_header_only_file_gives_an_empty_table_with_all_columns():
    files = {**_sample_files(), "frequencies.txt": b"trip_id,start_time,end_time,headway_secs\r\n"}
    content = read_feed_content(_zip_bytes(files))
    frame = raw_frame("frequencies", content.table("frequencies"), KEYS)
    assert frame.height == 0
    assert frame.schema["headway_secs"] == pl.Int32


def test_headway_beyond_gtfs_kits_int16_still_reads():
    files = {
        **_sample_files(),
        "frequencies.txt": b"trip_id,start_time,end_time,headway_secs\n"
        b"TS1,07:00:00,19:00:00,40000\n",
    }
    content = read_feed_content(_zip_bytes(files))
    assert content.notices.is_empty()
    assert content.table("frequencies")["headway_secs"].tolist() == [40000]


@pytest.mark.parametrize(
    ("data", "code", "file", "row"),
    [
        (b"not a zip at all", "feed_unreadable", None, None),
        (None, "invalid_encoding", "stops.txt", 1),
        (None, "feed_unreadable", "routes.txt", None),
    ],
    ids=["not_a_zip", "gb18030_stops", "ragged_csv"],
)
def test_unreadable_input_is_named(data, code, file, row):
    files = _sample_files()
    if file == "stops.txt":
        text = files["stops.txt"].decode("utf-8-sig")
        files["stops.txt"] = text.encode("gb18030")
    if file == "routes.txt":
        files["routes.txt"] += b'R9,TCBUS,"9,unterminated\n'
    content = read_feed_content(data if data is not None else _zip_bytes(files))
    assert content.notices.select("code", "file", "row").rows()[:1] == [(code, file, row)]


def test_folder_feed_reads_like_its_zip(tmp_path):
    from_folder = read_feed_content(SAMPLE_FEED)
    from_zip = read_feed_content(zip_feed(SAMPLE_FEED, tmp_path / "f.zip").read_bytes())
    assert from_folder.tables["stop_times"].equals(from_zip.tables["stop_times"])


def test_bom_and_crlf_read_like_plain_utf8():
    plain = _sample_files()
    text = plain["stops.txt"].decode("utf-8-sig").replace("\r\n", "\n")
    plain["stops.txt"] = text.encode("utf-8")
    windows = {**plain, "stops.txt": b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")}
    stops = [read_feed_content(_zip_bytes(files)).table("stops") for files in (plain, windows)]
    assert stops[0].equals(stops[1])
    assert list(stops[1].columns)[0] == "stop_id"
