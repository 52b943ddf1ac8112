"""File versions already ingested, kept beside the warehouse so that each is read once.

`<warehouse-dir>/.ingested/<source>/<sha256>-<fingerprint>/` holds what ingesting one file
version produced under one ingest fingerprint (`ingest_fingerprint`): a Parquet file per
loaded table, one for its quarantine rows, and `outcome.json` (its audit line). A later run
that finds the same bytes under the same name and fingerprint takes the outcome from here
instead of reading, checking and pseudonymising the file again.

What is stored is the outcome BEFORE the plausibility gate: the gate's verdict depends on the
day of the run and on the previous accepted version, so it is passed again every night on
every file, carried or not. An entry is therefore a pure function of the file's bytes and the
fingerprint, which is why entries are written as soon as a file is ingested rather than at
publication: whether the night then publishes or fails, an entry says only what any later
ingest of those bytes would say. Each entry is written into a temporary directory and
renamed into place, so a night that dies midway leaves complete entries or none (its
temporary directories are removed by the next run of the source). Files rejected as
unreadable are never stored: an I/O error says nothing about the bytes.

`manifest.json` keeps the fingerprint's components of the source's last ingest, so that a
run which has to ingest again can say why (which module, code table or key changed).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from assets.ingest.outcome import QUARANTINE_SCHEMA, FileOutcome
from assets.ingest.spool import SpooledFrame
from pipelines import project

STORE_DIR_NAME = ".ingested"
OUTCOME_FILE = "outcome.json"
MANIFEST_FILE = "manifest.json"
TEMPORARY_PREFIX = ".tmp-"
AUDIT_FIELDS = ("encoding", "rows_read", "rows_blank", "warnings", "status", "reason", "seconds")


def source_store(source: str) -> Path:
    return project.warehouse_dir() / STORE_DIR_NAME / source


def entry_name(sha256: str, fingerprint: str) -> str:
    return f"{sha256}-{fingerprint}"


@dataclass(frozen=True)
class StoredVersion:
    """Where one file version's stored outcome lives."""

    source: str
    sha256: str
    fingerprint: str

    @property
    def path(self) -> Path:
        return source_store(self.source) / entry_name(self.sha256, self.fingerprint)


def storable(outcome: FileOutcome) -> bool:
    """An outcome that follows from the bytes alone (not an I/O failure, not a copy)."""
    unreadable = ": unreadable: " in (outcome.reason or "")
    return bool(outcome.sha256) and outcome.duplicate_of is None and not unreadable


def save(outcome: FileOutcome, fingerprint: str, loaded_at: dt.datetime) -> None:
    """Store `outcome` (call before the gate and before the rows are written: spooled parts
    are copied, never moved). An existing entry for the same version is replaced."""
    version = StoredVersion(outcome.source, outcome.sha256, fingerprint)
    version.path.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=TEMPORARY_PREFIX, dir=version.path.parent))
    tables = {}
    for number, (table, frame) in enumerate(sorted(outcome.loaded.items())):
        tables[table] = _write_frame(frame, work / f"table-{number:02d}.parquet")
    quarantine = _write_frame(outcome.quarantine, work / "quarantine.parquet")
    record = {field: getattr(outcome, field) for field in AUDIT_FIELDS}
    record |= {
        "file_name": outcome.file_name,
        "sha256": outcome.sha256,
        "file_date": outcome.file_date.isoformat() if outcome.file_date else None,
        "loaded_at": (outcome.loaded_at or loaded_at).isoformat(),
        "tables": tables,
        "quarantine": quarantine,
    }
    (work / OUTCOME_FILE).write_text(json.dumps(record, ensure_ascii=False, indent=1))
    if version.path.exists():
        shutil.rmtree(version.path)
    os.rename(work, version.path)


def _write_frame(frame, path: Path) -> dict:
    """One Parquet file (a spooled frame's parts are copied under numbered names)."""
    if isinstance(frame, SpooledFrame):
        parts = []
        for number, part in enumerate(frame.paths):
            target = path.with_name(f"{path.stem}-{number:05d}.parquet")
            shutil.copyfile(part, target)
            parts.append(target.name)
        return {"parts": parts, "rows": frame.height}
    frame.write_parquet(path, compression="zstd")
    return {"parts": [path.name], "rows": frame.height}


def load(source: str, sha256: str, fingerprint: str, file_name: str) -> FileOutcome | None:
    """The stored outcome of this version, or None when there is none to trust: no entry,
    or an entry made for the same bytes under another name (its rows name that file)."""
    version = StoredVersion(source, sha256, fingerprint)
    try:
        record = json.loads((version.path / OUTCOME_FILE).read_text())
    except (OSError, ValueError):
        return None
    if record.get("file_name") != file_name or record.get("sha256") != sha256:
        return None
    entries = [*record["tables"].values(), record["quarantine"]]
    if not all((version.path / part).is_file() for entry in entries for part in entry["parts"]):
        return None  # a part went missing: ingest the file again
    file_date = record["file_date"]
    outcome = FileOutcome(
        source, file_name, sha256, dt.date.fromisoformat(file_date) if file_date else None
    )
    for field in AUDIT_FIELDS:
        setattr(outcome, field, record[field])
    outcome.loaded = {
        table: _stored_frame(version.path, entry) for table, entry in record["tables"].items()
    }
    outcome.quarantine = _stored_frame(version.path, record["quarantine"], QUARANTINE_SCHEMA)
    outcome.loaded_at = dt.datetime.fromisoformat(record["loaded_at"])
    outcome.carried = True
    return outcome


def _stored_frame(directory: Path, entry: dict, schema=None):
    """Stored rows as a SpooledFrame without a directory of its own: written to the warehouse
    straight from the store by DuckDB, and `discard()` then leaves the store's files alone."""
    paths = [directory / name for name in entry["parts"]]
    if entry["rows"] == 0 and schema is not None:
        return pl.DataFrame(schema=schema)
    return SpooledFrame(schema=None, directory=None, paths=paths, height=entry["rows"])


def reingest_reason(source: str, parts: dict[str, str], full: bool) -> str | None:
    """Why this run cannot carry the source's stored outcomes, or None when it can."""
    if full:
        return "--full: every file ingested again"
    try:
        previous = json.loads((source_store(source) / MANIFEST_FILE).read_text())
    except (OSError, ValueError):
        return None  # first ingest of the source: nothing to carry, nothing to explain
    from assets.ingest.ingest_fingerprint import changed

    names = changed(previous, parts)
    return f"ingested again: {', '.join(names)} changed" if names else None


def keep_only(source: str, wanted: set[str], parts: dict[str, str]) -> None:
    """After the source's ingest: drop entries not `wanted` (versions no longer in data_raw/,
    or of another fingerprint) and temporary directories left by a night that died; record
    the manifest."""
    store = source_store(source)
    if not store.is_dir():
        return
    for entry in store.iterdir():
        if entry.is_dir() and entry.name not in wanted:
            shutil.rmtree(entry, ignore_errors=True)
    manifest = store / MANIFEST_FILE
    work = manifest.with_name(f"{TEMPORARY_PREFIX}{MANIFEST_FILE}")
    work.write_text(json.dumps(parts, indent=1, sort_keys=True))
    os.replace(work, manifest)
