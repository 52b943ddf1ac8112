"""Large files are ingested in slices: the same rows, quarantine and verdict as read whole.

Every comparison runs the same small file through `ingest_records` (the whole file in one
frame) and through `ingest_csv_in_slices` with slices of a few hundred bytes, so each file
is cut into many slices, including cuts next to quoted values that hold newlines.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import polars as pl
import pytest

from assets.ingest import sliced_ingest
from assets.ingest.csv_slices import first_record_end, last_record_end, record_slices
from assets.ingest.outcome import FileOutcome
from assets.ingest.source_run import ingest_csv_file
from assets.ingest.spool import SpooledFrame, spool_root
from assets.publish.atomic import remove_stale_work
from assets.reference.assets import reference_tables
from assets.registrations.assets import raw_registrations
from assets.registrations.records import registration_format, registration_rules
from tests.conftest import TEST_KEY, materialise, rows
from tests.source_files import REGISTRATION_HEADER, good_registrations, write_csv
from tests.test_ingest_registrations import BAD_ROWS

KEY = TEST_KEY.encode()
LOADED_AT = dt.datetime(2026, 1, 1)
CODES = {
    "plate_type": ["01", "02", "51", "52"],
    "new_energy_plate_type": ["51", "52"],
    "vehicle_type": ["K33", "H11"],
    "usage": ["A", "C", "D"],
    "fuel": ["A", "B", "C"],
    "vehicle_status": ["A", "E", "G"],
}
QUOTED = '苏E70001,02,,K33,A,A,2020-01-01,A,,"太仓, 城厢镇\n某某公司",320585100'
ENGLISH_HEADER = (
    "plate,plate_type,vin,vehicle_type,usage,fuel,first_registered_on,status,"
    "status_changed_on,owner,admin_code"
)


def _whole(path: Path) -> FileOutcome:
    """The file read whole (it is far below the slicing threshold)."""
    fmt, rules = registration_format(), registration_rules(CODES)
    return ingest_csv_file(path, path.parent, fmt, rules, KEY, LOADED_AT)


def _sliced(path: Path, slice_bytes: int = 300) -> FileOutcome:
    fmt, rules = registration_format(), registration_rules(CODES)
    return sliced_ingest.ingest_csv_in_slices(
        path, path.name, fmt, rules, KEY, LOADED_AT, slice_bytes
    )


def _frame(frame) -> pl.DataFrame:
    return frame.collect() if isinstance(frame, SpooledFrame) else frame


def _assert_same(whole: FileOutcome, sliced: FileOutcome) -> None:
    for attribute in ("status", "reason", "encoding", "sha256", "file_date", "rows_read"):
        assert getattr(sliced, attribute) == getattr(whole, attribute), attribute
    assert (sliced.rows_loaded, sliced.rows_quarantined, sliced.warnings) == (
        whole.rows_loaded,
        whole.rows_quarantined,
        whole.warnings,
    )
    for table, frame in whole.loaded.items():
        if frame.height:
            assert _frame(sliced.loaded[table]).equals(frame), table
    assert _frame(sliced.quarantine).equals(whole.quarantine)


@pytest.fixture
def spool(workspace):
    return workspace


def test_slices_end_only_where_a_record_ends(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b'h1,h2\na,"x\ny"\nb,c\n')
    assert list(record_slices(path, 8)) == [b"h1,h2\n", b'a,"x\ny"\n', b"b,c\n"]
    # a newline inside quotes is never a cut, however small the slice
    assert list(record_slices(path, 4)) == [b"h1,h2\n", b'a,"x\ny"\n', b"b,c\n"]
    path.write_bytes(b'h\n"a""\nb"\nlast')  # doubled quote inside a quoted value; no final \n
    assert list(record_slices(path, 3)) == [b"h\n", b'"a""\nb"\n', b"last"]


def test_record_end_helpers():
    assert last_record_end(b'x,"a\nb') == 0  # the only newline is inside quotes
    assert last_record_end(b'x,"a\nb"\ny') == 8
    assert first_record_end(b'"h\n1",h2\nv,w\n') == 9
    assert first_record_end(b"no newline") == 10


def test_sliced_equals_whole_with_bad_rows_and_quoted_newlines(spool):
    lines = good_registrations(150)[:70] + [QUOTED] + [b for b, _, _ in BAD_ROWS[:3]]
    lines += good_registrations(80, start=60000)
    path = write_csv(spool / "registrations_20251031.csv", REGISTRATION_HEADER, lines)
    whole, sliced = _whole(path), _sliced(path)
    assert whole.status == "accepted" and whole.rows_quarantined == 3
    assert whole.rows_loaded == 151
    _assert_same(whole, sliced)
    owners = _frame(sliced.loaded["raw.registrations"]).get_column("owner")
    assert "太仓, 城厢镇\n某某公司" in owners.to_list()
    assert sorted(_frame(sliced.quarantine).get_column("row_number")) == [72, 73, 74]


def test_sliced_rejects_the_file_like_whole(spool):
    lines = good_registrations(40) + [b for b, _, _ in BAD_ROWS[:5]]  # 5 of 45 = 11 %
    path = write_csv(spool / "registrations_20251031.csv", REGISTRATION_HEADER, lines)
    whole, sliced = _whole(path), _sliced(path)
    assert whole.status == "rejected" and "5 of 45 rows (11.1%)" in whole.reason
    assert whole.rows_loaded == 0 and whole.rows_quarantined == 45
    _assert_same(whole, sliced)
    # the first pass's parts are gone: only the second pass's quarantine is on disk
    assert {p.parent for p in spool_root().glob("*/*.parquet")} == {sliced.quarantine.directory}


def test_gb18030_seen_only_after_the_first_slices(spool):
    """The encoding is judged on the whole file, not on the first slice (pure ASCII here)."""
    ascii_rows = [f"SU{50000 + i},02,,K33,A,A,2020-01-01,A,,person,320585100" for i in range(30)]
    lines = ascii_rows + ["苏E12345,02,,K33,A,A,2020-01-01,A,,个人,320585100"]
    path = write_csv(spool / "registrations_20251031.csv", ENGLISH_HEADER, lines)
    whole, sliced = _whole(path), _sliced(path, slice_bytes=200)
    assert whole.encoding == "gb18030"
    _assert_same(whole, sliced)


def test_utf8_with_bom_and_crlf(spool):
    lines = good_registrations(20) + [QUOTED]
    path = spool / "registrations_20251031.csv"
    text = "\r\n".join([REGISTRATION_HEADER, *lines]) + "\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    whole, sliced = _whole(path), _sliced(path, slice_bytes=150)
    assert whole.encoding == "utf-8-sig" and whole.rows_loaded == 21
    _assert_same(whole, sliced)


def test_undecodable_bytes_late_in_the_file_reject_it(spool):
    path = write_csv(spool / "r.csv", REGISTRATION_HEADER, good_registrations(30))
    path.write_bytes(path.read_bytes() + b"\x81\x20\xff\xff,02\n")
    whole, sliced = _whole(path), _sliced(path, slice_bytes=200)
    assert whole.status == "rejected" and "neither UTF-8 nor GB18030" in whole.reason
    _assert_same(whole, sliced)
    assert sliced.rows_read == 0 and not list(spool_root().glob("*/*"))


def test_a_missing_column_rejects_before_anything_is_spooled(spool):
    header = REGISTRATION_HEADER.replace("号牌种类,", "")
    lines = [",".join(line.split(",")[:1] + line.split(",")[2:]) for line in good_registrations(9)]
    path = write_csv(spool / "r.csv", header, lines)
    sliced = _sliced(path, slice_bytes=100)
    assert sliced.status == "rejected" and "号牌种类 (plate_type)" in sliced.reason
    assert not list(spool_root().glob("*/*"))


def test_asset_loads_a_sliced_file_like_a_whole_one(workspace, monkeypatch):
    lines = good_registrations(120) + [QUOTED] + [b for b, _, _ in BAD_ROWS[:4]]
    write_csv(
        workspace / "data_raw" / "registrations" / "registrations_20251031.csv",
        REGISTRATION_HEADER,
        lines,
    )
    query = "select * exclude (_loaded_at) from raw.registrations order by _row_number"
    ledger = "select rows_read, rows_loaded, rows_quarantined, status from audit.source_files"
    quarantine = "select row_number, column_name, reason, raw_record from quality.quarantine"
    whole = materialise([reference_tables, raw_registrations], workspace / "whole.duckdb")
    expected = rows(whole, query), rows(whole, ledger), rows(whole, quarantine + " order by 1")
    whole.close()
    monkeypatch.setattr(sliced_ingest, "SLICED_ABOVE_BYTES", 0)
    monkeypatch.setattr(sliced_ingest, "SLICE_BYTES", 400)
    con = materialise([reference_tables, raw_registrations], workspace / "sliced.duckdb")
    found = rows(con, query), rows(con, ledger), rows(con, quarantine + " order by 1")
    assert found == expected
    assert expected[1] == [(125, 121, 4, "accepted")]
    assert not any(spool_root().glob("*/*")), "the spooled parts are deleted once written"


def test_a_crashed_runs_spool_is_removed_at_the_next_start(workspace):
    spooled = SpooledFrame()
    spooled.append(pl.DataFrame({"a": [1, 2]}))
    assert spooled.height == 2 and spooled.collect()["a"].to_list() == [1, 2]
    work_file = spool_root().parent / "work.duckdb"
    assert spool_root() in remove_stale_work(work_file)
    assert not spool_root().exists()


def test_a_file_is_hashed_once_per_version(tmp_path, monkeypatch):
    reads = []
    real = sliced_ingest.hashlib.file_digest

    def counted(handle, name):
        reads.append(handle.name)
        return real(handle, name)

    monkeypatch.setattr(sliced_ingest.hashlib, "file_digest", counted)
    path = tmp_path / "export.csv"
    path.write_bytes(b"a,b\n1,2\n")
    first = sliced_ingest.file_sha256(path)
    assert first == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    assert sliced_ingest.file_sha256(path) == first and len(reads) == 1
    path.write_bytes(b"a,b\n1,3\n")  # same size, new content: a new mtime
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000))
    assert sliced_ingest.file_sha256(path) == hashlib.sha256(b"a,b\n1,3\n").hexdigest()
    replaced = tmp_path / "other.csv"
    replaced.write_bytes(b"a,b\n9,9\n")
    replaced.replace(path)  # a new inode under the old name
    assert sliced_ingest.file_sha256(path) == hashlib.sha256(b"a,b\n9,9\n").hexdigest()
    assert len(reads) == 3
