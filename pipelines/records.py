"""Append one JSON record to a line log (`runs.jsonl`, `alerts.log`) whole or not at all.

A record is what the on-call engineer and `greentrack status` trust, so a full disk must never
leave half a line: the whole line goes to the file in one `os.write` on an `O_APPEND`
descriptor, and a write that fails or comes up short is cut back to the file's size before
it. A line already cut short (by a crash of an older release, or a power loss) would glue
itself to the next record and hide it, so a record after such a line starts on a line of its
own.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
from pathlib import Path


def record_line(record: dict) -> bytes:
    """The record as one line of JSON (UTF-8, keys sorted, newline-terminated)."""
    text = json.dumps(record, ensure_ascii=False, default=str, sort_keys=True)
    return (text + "\n").encode("utf-8")


def _ends_mid_line(fd: int, size: int) -> bool:
    return size > 0 and os.pread(fd, 1, size - 1) != b"\n"


def append_record(path: Path, record: dict) -> None:
    """Append `record` to `path` as one line; raises OSError (the file as it was) when the
    line cannot be written whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = record_line(record)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # two writers (a run and the failure sensor) take turns
        size = os.fstat(fd).st_size
        data = (b"\n" + line) if _ends_mid_line(fd, size) else line
        try:
            written = os.write(fd, data)
        except OSError:
            _cut_back(fd, size)
            raise
        if written != len(data):
            _cut_back(fd, size)
            raise OSError(errno.ENOSPC, f"only {written} of {len(data)} bytes written", str(path))
    finally:
        os.close(fd)


RESERVE_NAME = ".records-reserve"
RESERVE_BYTES = 64 * 1024  # a failed run's run-log and alert lines are ~10 KB together


def keep_reserve(directory: Path) -> None:
    """Hold RESERVE_BYTES of disk in `directory` while there is room (at the start of every
    run), so that a run which fails on a full disk, even before it wrote any work to free,
    can give the space back and still record its failure."""
    path = directory / RESERVE_NAME
    try:
        if path.exists() and path.stat().st_size >= RESERVE_BYTES:
            return
        with open(path, "wb") as handle:
            handle.write(b"\0" * RESERVE_BYTES)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        try:
            path.unlink(missing_ok=True)  # no room today: the next run tries again
        except OSError:
            pass  # a directory the run may not write: the run itself says so


def release_reserve(directory: Path) -> None:
    """Give the reserve back to the filesystem, just before a failure is recorded."""
    try:
        (directory / RESERVE_NAME).unlink(missing_ok=True)
    except OSError:
        pass


def _cut_back(fd: int, size: int) -> None:
    """Drop whatever part of the line reached the file (truncating frees, never needs, space)."""
    try:
        os.ftruncate(fd, size)
    except OSError:
        pass  # the caller reports the write's own error, the one that matters


def read_records(path: Path) -> tuple[list[dict], list[int]]:
    """(records, numbers of the lines that are not a JSON object). A line cut short, or bytes
    that are not UTF-8, cost that line only; the records after it still count."""
    if not path.exists():
        return [], []
    records, damaged = [], []
    for number, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            value = None
        if isinstance(value, dict):
            records.append(value)
        else:
            damaged.append(number)
    return records, damaged
