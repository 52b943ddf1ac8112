"""Large feeds: tables read in chunks, large accepted tables spooled to disk until written.

Both must be invisible in the warehouse: the same rows, types, row numbers and JSON extras as
a feed read whole and held in memory. Small chunk and spool sizes make the sample feed take
the large-feed path.
"""

from __future__ import annotations

import duckdb
import pytest

from assets.gtfs import feed_reader
from assets.gtfs import ingest as gtfs_ingest
from assets.gtfs.feed_frames import raw_frame
from assets.gtfs.feed_reader import read_feed_content
from assets.gtfs.tables import LOADED_TABLES
from assets.ingest.spool import SpooledFrame, spool_root
from tests.test_gtfs_fixtures import LOADED_AT, SAMPLE_FEED, load_feeds, zip_feed
from tests.test_gtfs_reader import KEYS

ROUTES = (
    "route_id,agency_id,route_short_name,route_long_name,route_type,note_num\n"
    "R1,TCBUS,1,甲—乙,3,7\n"
    "R2,TCBUS,2,乙—丙,3,\n"
    "R3,TCBUS,3,丙—丁,3,2.50\n"
)


def test_chunks_number_rows_on_and_keep_extra_columns_as_written(monkeypatch, tmp_path):
    # Chunks of 2 rows: R1–R2, then R3. The extra column is an integer in the first chunk
    # and a decimal in the second; read as text it stays "7" and "2.50" (a whole-file type
    # guess would have written 7.0 and 2.5), and the blank stays null.
    monkeypatch.setattr(feed_reader, "CHUNK_ROWS", 2)
    feed = zip_feed(
        SAMPLE_FEED, tmp_path / "f.zip", edit=lambda n, t: ROUTES if n == "routes.txt" else t
    )
    content = read_feed_content(
        feed.read_bytes(),
        convert=lambda table, chunk: raw_frame(table, chunk, KEYS),
    )
    assert content.table("routes").select("route_id", "_row_number", "_extra").rows() == [
        ("R1", 1, '{"note_num":"7"}'),
        ("R2", 2, '{"note_num":null}'),
        ("R3", 3, '{"note_num":"2.50"}'),
    ]
    assert content.table("stop_times").get_column("_row_number").to_list() == list(range(1, 41))


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {
        table: con.sql(f"select * from raw.gtfs_{table} order by _row_number").fetchall()
        for table in LOADED_TABLES
    }


def test_chunked_and_spooled_feed_loads_the_same_rows(monkeypatch, tmp_path):
    feed = zip_feed(SAMPLE_FEED, tmp_path / "gtfs" / "taicang_mini_20250701.zip")
    whole = _tables(load_feeds([feed], tmp_path))

    monkeypatch.setenv("GREENTRACK_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setattr(feed_reader, "CHUNK_ROWS", 7)
    monkeypatch.setattr(gtfs_ingest, "SPOOL_ROWS", 10)
    outcomes, _ = gtfs_ingest.ingest_feed_files([feed], tmp_path, LOADED_AT)
    # stop_times (40 rows) waits on disk; routes (3 rows) stays in memory
    assert isinstance(outcomes[0].loaded["raw.gtfs_stop_times"], SpooledFrame)
    assert outcomes[0].loaded["raw.gtfs_stop_times"].height == 40
    assert not isinstance(outcomes[0].loaded["raw.gtfs_routes"], SpooledFrame)
    for outcome in outcomes:
        for frame in outcome.loaded.values():
            if isinstance(frame, SpooledFrame):
                frame.discard()

    spooled = _tables(load_feeds([feed], tmp_path))
    assert spooled == whole
    assert len(whole["stop_times"]) == 40
    assert not any(spool_root().glob("**/*.parquet"))  # parts are deleted once written


@pytest.mark.parametrize("rows", [0, 1])
def test_header_only_and_single_row_tables_read_in_chunks(monkeypatch, rows):
    monkeypatch.setattr(feed_reader, "CHUNK_ROWS", 1)
    data = b"trip_id,start_time,end_time,headway_secs\n" + b"T1,07:00:00,09:00:00,600\n" * rows
    frame, problem, _ = feed_reader._read_table("frequencies", data)
    assert problem is None
    assert (frame is None) if rows == 0 else (frame["headway_secs"].tolist() == [600])


def _stop_times(bad: dict[int, tuple[str, str]]) -> bytes:
    """Seven stop_times rows; `bad` puts a text into row n's column (1-based data rows)."""
    lines = ["trip_id,arrival_time,departure_time,stop_id,stop_sequence,shape_dist_traveled"]
    for n in range(1, 8):
        row = {"stop_sequence": str(n), "shape_dist_traveled": f"{n * 0.5}"}
        if n in bad:
            row[bad[n][0]] = bad[n][1]
        lines.append(f"T1,07:0{n}:00,07:0{n}:00,S{n},{row['stop_sequence']},"
                     f"{row['shape_dist_traveled']}")  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    "bad, row, field, value",
    [
        # one bad value in the third chunk of 2 rows: its row number runs on across chunks
        ({5: ("stop_sequence", "five")}, 5, "stop_sequence", "'five'"),
        # two bad values: the earlier row is named, though its column comes later
        ({6: ("stop_sequence", "six"), 3: ("shape_dist_traveled", "x")}, 3,
         "shape_dist_traveled", "'x'"),
        # 2**31 does not fit gtfs-kit's Int32
        ({7: ("stop_sequence", "2147483648")}, 7, "stop_sequence", "'2147483648'"),
    ],
)  # fmt: skip
def test_a_cast_error_is_named_with_its_row_when_read_in_chunks(
    monkeypatch, bad, row, field, value
):
    monkeypatch.setattr(feed_reader, "CHUNK_ROWS", 2)
    frame, problem, _ = feed_reader._read_table("stop_times", _stop_times(bad))
    assert frame is None
    notice = problem.row(0, named=True)
    assert (notice["code"], notice["file"], notice["row"], notice["field"]) == (
        "invalid_number",
        "stop_times.txt",
        row,
        field,
    )
    assert notice["message"].startswith(f"{value} is not a valid")
