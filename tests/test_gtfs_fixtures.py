"""The GTFS test feeds: the hand-made Taicang sample and the real feeds in ../shared.

Helpers here are shared by the other test_gtfs_* files: zip a folder the way a bureau would
publish it, and load zips into an in-memory warehouse through the real ingest code.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import duckdb
import pytest

from assets.gtfs.feed_frames import empty_raw_frame
from assets.gtfs.feed_reader import read_feed_content, to_gtfs_kit_feed
from assets.gtfs.ingest import ingest_feed_files
from assets.gtfs.tables import LOADED_TABLES, raw_table_name
from assets.ingest.store import write_outcomes
from assets.reference.code_tables import read_code_table
from pipelines import project
from pipelines.warehouse import replace_table

SAMPLE_FEED = Path(__file__).resolve().parent / "fixtures" / "gtfs" / "taicang_mini"
SHARED_REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
LOADED_AT = dt.datetime(2025, 7, 1, 8, 0)


def zip_feed(folder: Path, target: Path, drop: tuple[str, ...] = (), edit=None) -> Path:
    """Zip a feed folder; `drop` leaves files out, `edit(name, text)` rewrites a file's text."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.glob("*.txt")):
            if path.name in drop:
                continue
            data = path.read_bytes()
            if edit is not None:
                data = edit(path.name, data.decode("utf-8-sig")).encode("utf-8")
            archive.writestr(path.name, data)
    return target


def real_feed(*parts: str) -> Path:
    path = SHARED_REAL.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real GTFS data not found at {path} (the shared data folder is absent)")
    return path


def copy_zip(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes())
    return target


def load_feeds(paths: list[Path], data_raw: Path) -> duckdb.DuckDBPyConnection:
    """Ingest zips into an in-memory warehouse (raw.gtfs_*, audit) with reference.town."""
    outcomes, _ = ingest_feed_files(paths, data_raw, LOADED_AT)
    con = duckdb.connect()
    empty = {raw_table_name(table): empty_raw_frame(table) for table in LOADED_TABLES}
    write_outcomes(con, "gtfs", outcomes, empty, "test-run", LOADED_AT)
    replace_table(con, "reference.town", read_code_table(project.REFERENCE_DIR, "town"))
    return con


@pytest.fixture
def sample_zip(tmp_path: Path) -> Path:
    return zip_feed(SAMPLE_FEED, tmp_path / "gtfs" / "taicang_mini_20250701.zip")


def test_sample_feed_is_valid_gtfs(sample_zip):
    outcomes, notices = ingest_feed_files([sample_zip], sample_zip.parent.parent, LOADED_AT)
    assert [(o.status, o.reason, o.warnings) for o in outcomes] == [("accepted", None, 0)]
    assert notices.is_empty()


def test_gtfs_kit_reads_the_sample_feed_the_same_way(sample_zip):
    content = read_feed_content(sample_zip.read_bytes())
    feed = to_gtfs_kit_feed(content)
    assert feed.routes["route_short_name"].tolist() == ["101", "102", "S1"]
    assert feed.stops["stop_name"].iloc[0] == "城厢汽车站"  # BOM and CRLF gone
    assert feed.stop_times["arrival_time"].max() == "24:25:00"  # past midnight, kept as text
