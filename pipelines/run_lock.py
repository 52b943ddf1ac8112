"""The one-writer lock of a warehouse directory: the work file has one writer at a time,
whatever started the run (`greentrack run`, the schedule, the sensor, the UI).

An exclusive `flock` on `<warehouse-dir>/.greentrack.lock`, held for the run's lifetime by the
warehouse resource (pipelines/resources.py) and, around it, by `greentrack run` (so that a failed
run's clean-up never races the next run). The kernel drops the lock when the holder dies, so a
SIGKILLed run never leaves the directory locked. Within one process the lock is re-entrant: the
resource of a run that `greentrack run` started in-process shares the runner's hold.
"""

from __future__ import annotations

import fcntl
import threading
import time
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".greentrack.lock"
POLL_SECONDS = 0.5

_held: dict[Path, list] = {}  # lock path -> [open file, depth] held by this process
_guard = threading.Lock()


class RunLocked(RuntimeError):
    """Another process is writing this warehouse directory."""


def lock_path(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / LOCK_NAME


def _try_take(path: Path, wait_seconds: float):
    handle = open(path, "w")
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError as error:
            if time.monotonic() >= deadline:
                handle.close()
                raise RunLocked(f"another greentrack run holds {path}") from error
            time.sleep(POLL_SECONDS)


def acquire(warehouse_dir: Path, wait_seconds: float = 0.0) -> Path:
    """Take (or, in this process, re-enter) the lock; RunLocked once `wait_seconds` passed."""
    path = lock_path(warehouse_dir).resolve()
    with _guard:
        if path in _held:
            _held[path][1] += 1
            return path
    handle = _try_take(path, wait_seconds)
    with _guard:
        _held[path] = [handle, 1]
    return path


def release(path: Path) -> None:
    with _guard:
        entry = _held.get(path)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _held[path]
    fcntl.flock(entry[0], fcntl.LOCK_UN)
    entry[0].close()


@contextmanager
def run_lock(warehouse_dir: Path, wait_seconds: float = 0.0):
    """One run at a time per warehouse directory (the work file has one writer)."""
    path = acquire(warehouse_dir, wait_seconds)
    try:
        yield path
    finally:
        release(path)
