"""The warehouse is written in a storage format DuckDB 1.1 opens, and publishing keeps it."""

from __future__ import annotations

import struct
from pathlib import Path

import duckdb

from assets.publish.atomic import publish_file
from pipelines.resources import warehouse_resource

# DuckDB's file header: 8 bytes checksum, "DUCK", then the storage version number (uint64).
# DuckDB 1.0-1.1 read version 64; DuckDB 2 writes 999 unless told otherwise.
READABLE_BY_DUCKDB_1_1 = 64


def storage_version_number(path: Path) -> int:
    header = path.read_bytes()[:20]
    assert header[8:12] == b"DUCK"
    return struct.unpack("<Q", header[12:20])[0]


def test_a_default_file_is_not_readable_by_duckdb_1(tmp_path):
    """The check below can fail: a file created without the setting has another version."""
    with duckdb.connect(str(tmp_path / "plain.duckdb")) as con:
        con.execute("create table t as select 1 as x")
    assert storage_version_number(tmp_path / "plain.duckdb") != READABLE_BY_DUCKDB_1_1


def test_the_work_file_is_created_readable_by_duckdb_1_1(tmp_path):
    work = tmp_path / "w.duckdb.work"
    with warehouse_resource(str(work)).get_connection() as con:
        con.execute("create table t as select 1 as x")
    assert storage_version_number(work) == READABLE_BY_DUCKDB_1_1


def test_publishing_keeps_the_format(tmp_path):
    """Later plain connections (history, checkpoint) and the rename keep the file's format."""
    work, published = tmp_path / "w.duckdb.work", tmp_path / "w.duckdb"
    with warehouse_resource(str(work)).get_connection() as con:
        con.execute("create table t as select 1 as x")
    with duckdb.connect(str(work)) as con:
        con.execute("create table u as select range as y from range(100000)")
    publish_file(work, published)
    assert storage_version_number(published) == READABLE_BY_DUCKDB_1_1
