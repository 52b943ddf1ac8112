"""Publish by atomic rename, so an analyst never opens a half-built warehouse.

The work file lives beside the published one (same filesystem), is checkpointed so that it
is complete without its WAL, then `os.replace`d over the published path. Readers that have
the old file open keep reading the old snapshot (its inode lives until they close it); new
connections see the new one. A crash before the rename leaves the published file untouched.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from assets.ingest.spool import SPOOL_DIR_NAME


def checkpoint(work_file: Path) -> None:
    with duckdb.connect(str(work_file)) as con:
        con.execute("checkpoint")


def fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish_file(work_file: Path, published: Path) -> None:
    checkpoint(work_file)
    with open(work_file, "rb") as handle:
        os.fsync(handle.fileno())
    wal = work_file.with_name(work_file.name + ".wal")
    if wal.exists():
        wal.unlink()
    os.replace(work_file, published)
    fsync_directory(published.parent)


def publish_directory(work_dir: Path, published: Path) -> None:
    """Swap a built site directory into place: rename the old aside, the new in, drop the old."""
    old = published.with_name(published.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if published.exists():
        os.replace(published, old)
    os.replace(work_dir, published)
    if old.exists():
        shutil.rmtree(old)


def remove_stale_work(work_file: Path) -> list[Path]:
    """Remove what a crashed run left behind; returns what was removed."""
    removed = []
    for path in (work_file, work_file.with_name(work_file.name + ".wal")):
        if path.exists():
            path.unlink()
            removed.append(path)
    for directory in (
        work_file.parent / SPOOL_DIR_NAME,  # rows a killed sliced ingest left on disk
        work_file.with_name(work_file.name + ".tmp"),  # DuckDB's spill files of a killed run
    ):
        if directory.is_dir():
            shutil.rmtree(directory, ignore_errors=True)
            removed.append(directory)
    return removed
