"""Publish by atomic rename, so an analyst never opens a half-built warehouse, and publish the
warehouse and its dashboard together or not at all.

The work file lives beside the published one (same filesystem), is checkpointed so that it
is complete without its WAL, then `os.replace`d over the published path. Readers that have
the old file open keep reading the old snapshot (its inode lives until they close it); new
connections see the new one. A crash before the rename leaves the published file untouched.

The dashboard goes in first, keeping its predecessor aside: if it cannot be swapped the
warehouse is not touched, and if the warehouse then cannot be renamed the old dashboard is
put back. A dashboard directory that cannot itself be renamed (a mount point: rename gives
EBUSY or EXDEV) is published by swapping its entries instead, each by rename inside it.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from assets.ingest.spool import SPOOL_DIR_NAME
from assets.ingest.version_store import STORE_DIR_NAME, TEMPORARY_PREFIX

UNRENAMEABLE = {errno.EBUSY, errno.EXDEV}  # a mount point, or a rename across filesystems
INCOMING, OUTGOING = ".greentrack-incoming", ".greentrack-outgoing"


class PublicationFailed(RuntimeError):
    """Nothing was published: the published warehouse and dashboard are as they were."""


class PartialPublication(RuntimeError):
    """Part of the publication is in place and could not be taken back; the message says
    exactly which part."""


def checkpoint(work_file: Path) -> None:
    with duckdb.connect(str(work_file)) as con:
        con.execute("checkpoint")


def fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def prepare_file(work_file: Path) -> None:
    """Make the work file complete on disk by itself (checkpointed, synced, no WAL)."""
    checkpoint(work_file)
    with open(work_file, "rb") as handle:
        os.fsync(handle.fileno())
    wal = work_file.with_name(work_file.name + ".wal")
    if wal.exists():
        wal.unlink()


def publish_file(work_file: Path, published: Path) -> None:
    prepare_file(work_file)
    os.replace(work_file, published)
    fsync_directory(published.parent)


@dataclass
class DirectorySwap:
    """A directory swapped into place whose predecessor is still kept: `undo` puts the
    predecessor back, `finish` drops it."""

    undo: Callable[[], None]
    finish: Callable[[], None]


def swap_in_directory(work_dir: Path, published: Path) -> DirectorySwap:
    """Put work_dir in place of published, keeping the old one until finish(). Raises
    OSError with published as it was when the swap cannot be made."""
    if published.is_dir() and os.path.ismount(published):
        return _swap_entries(work_dir, published)
    old = published.with_name(published.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    had_old = published.exists()
    if had_old:
        try:
            os.replace(published, old)
        except OSError as error:
            if error.errno in UNRENAMEABLE and published.is_dir():
                return _swap_entries(work_dir, published)
            raise
    try:
        os.replace(work_dir, published)
    except OSError:
        if had_old:
            os.replace(old, published)
        raise

    def undo() -> None:
        os.replace(published, work_dir)
        if had_old:
            os.replace(old, published)

    return DirectorySwap(undo, lambda: shutil.rmtree(old, ignore_errors=True))


def _swap_entries(work_dir: Path, published: Path) -> DirectorySwap:
    """Swap the contents of a directory that cannot be renamed: the new site is staged inside
    it (same filesystem), then each old entry is renamed aside and each new one into place."""
    incoming, outgoing = published / INCOMING, published / OUTGOING
    for leftover in (incoming, outgoing):
        if leftover.exists():
            shutil.rmtree(leftover)
    try:
        try:
            os.replace(work_dir, incoming)
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            shutil.copytree(work_dir, incoming)
        outgoing.mkdir()
    except OSError:
        shutil.rmtree(incoming, ignore_errors=True)
        shutil.rmtree(outgoing, ignore_errors=True)
        raise
    moved_out: list[str] = []
    moved_in: list[str] = []

    def undo() -> None:
        for name in reversed(moved_in):
            os.replace(published / name, incoming / name)
        for name in reversed(moved_out):
            os.replace(outgoing / name, published / name)
        moved_in.clear()
        moved_out.clear()
        shutil.rmtree(outgoing, ignore_errors=True)

    def finish() -> None:
        for path in (outgoing, incoming, work_dir):
            shutil.rmtree(path, ignore_errors=True)

    try:
        for entry in sorted(published.iterdir()):
            if entry.name not in (INCOMING, OUTGOING):
                os.replace(entry, outgoing / entry.name)
                moved_out.append(entry.name)
        for entry in sorted(incoming.iterdir()):
            os.replace(entry, published / entry.name)
            moved_in.append(entry.name)
    except OSError:
        undo()
        shutil.rmtree(incoming, ignore_errors=True)
        raise
    return DirectorySwap(undo, finish)


def publish_together(work_file: Path, published: Path, site_work: Path | None, site: Path) -> None:
    """Publish the warehouse and (when built) the dashboard site, both or neither.

    Raises PublicationFailed (nothing changed) or PartialPublication (the message names
    what is in place)."""
    prepare_file(work_file)
    swap = None
    if site_work is not None and site_work.exists():
        try:
            swap = swap_in_directory(site_work, site)
        except OSError as error:
            raise PublicationFailed(
                f"the dashboard could not be swapped into {site} ({error}); the warehouse "
                f"{published} was not replaced either"
            ) from error
    try:
        os.replace(work_file, published)
    except OSError as error:
        if swap is None:
            raise PublicationFailed(
                f"the warehouse could not be renamed to {published}: {error}"
            ) from error
        try:
            swap.undo()
        except OSError as undo_error:
            raise PartialPublication(
                f"the new dashboard is published at {site} but the warehouse {published} is "
                f"the old one ({error}); putting the old dashboard back failed: {undo_error}"
            ) from error
        raise PublicationFailed(
            f"the warehouse could not be renamed to {published} ({error}); the dashboard "
            f"{site} was put back as it was"
        ) from error
    fsync_directory(published.parent)
    if swap is not None:
        swap.finish()


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
    # half-written entries of the version store (assets/ingest/version_store.py)
    for directory in sorted(work_file.parent.glob(f"{STORE_DIR_NAME}/*/{TEMPORARY_PREFIX}*")):
        shutil.rmtree(directory, ignore_errors=True)
        removed.append(directory)
    return removed


def discard_work(work_file: Path, site_work: Path | None = None) -> list[str]:
    """After a failed run, free the space its work took (work file, WAL, spill, spool, the
    built site) before anything is recorded: on a full disk that space is what lets the
    failure be written down. Never raises; returns what could not be removed."""
    problems = []
    for path in (work_file, work_file.with_name(work_file.name + ".wal")):
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()
        except OSError as error:
            problems.append(f"could not remove {path}: {error.strerror or error}")
    directories = [
        work_file.parent / SPOOL_DIR_NAME,
        work_file.with_name(work_file.name + ".tmp"),
    ]
    if site_work is not None:
        directories.append(site_work)
    for directory in directories:
        try:
            if directory.is_dir():
                shutil.rmtree(directory, ignore_errors=True)
        except OSError as error:  # a directory the run may not even look into
            problems.append(f"could not remove {directory}: {error.strerror or error}")
    return problems
