"""Split a source's files into those carried from the version store and those to ingest.

Used by `source_run` for the sources listed in `ingest_fingerprint.SOURCE_INPUTS`: each file
is ingested once per fingerprint. A survey file's rows depend on the other files of its wave
(a trip whose person is missing is quarantined), so a wave is carried whole or read whole,
and its files' entries are keyed by a fingerprint that also covers the wave's other files.
GTFS feeds are read every run (their validation notices are a second output of the read).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from assets.ingest import ingest_fingerprint, version_store
from assets.ingest.discovery import Discovery, SourceFile
from assets.ingest.outcome import FileOutcome
from assets.ingest.sliced_ingest import file_sha256

SURVEY_ENTITIES = 3  # households, persons, trips: a wave short of one is read every run


@dataclass
class Carrying:
    """This run's plan for one source: the fingerprint, what is carried and why not more."""

    source: str
    parts: dict[str, str]
    fingerprint: str
    reason: str | None  # why stored outcomes cannot be used (None: they can)
    carried: list[FileOutcome] = field(default_factory=list)
    entries: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (sha, print)

    def save(self, outcomes: list[FileOutcome], loaded_at: dt.datetime) -> None:
        """Store every freshly ingested outcome that follows from its bytes alone."""
        for outcome in outcomes:
            entry = self.entries.get(outcome.file_name)
            if entry and not outcome.carried and version_store.storable(outcome):
                version_store.save(outcome, entry[1], loaded_at)

    def finish(self) -> None:
        wanted = {version_store.entry_name(sha, fp) for sha, fp in self.entries.values()}
        version_store.keep_only(self.source, wanted, self.parts)


def _groups(found: Discovery, source: str) -> dict[str, list[SourceFile]]:
    """Files carried or read together: a survey wave; any other file alone."""
    groups: dict[str, list[SourceFile]] = {}
    for source_file in found.files:
        group = source_file.series.split("/")[0] if source == "surveys" else source_file.name
        groups.setdefault(group, []).append(source_file)
    return groups


def _context(files: list[tuple[SourceFile, str]]) -> str:
    return ";".join(sorted(f"{f.name}={sha}" for f, sha in files))


def plan(found: Discovery, source: str, key: bytes, full: bool) -> Carrying | None:
    """Take the carried outcomes out of `found` (its files and, for surveys, its waves; in
    place); None for a source that is always ingested whole."""
    if source not in ingest_fingerprint.SOURCE_INPUTS:
        return None
    parts = ingest_fingerprint.components(source, key)
    fingerprint = ingest_fingerprint.digest(parts)
    carrying = Carrying(
        source, parts, fingerprint, version_store.reingest_reason(source, parts, full)
    )
    refused_waves = {f.series.split("/")[0] for f, _ in found.unreadable}
    to_read: list[SourceFile] = []
    carried_waves = set()
    for group, files in _groups(found, source).items():
        try:
            hashed = [(f, file_sha256(f.path)) for f in files]
        except OSError:
            to_read.extend(files)  # the ingest reports it unreadable
            continue
        entry_print = fingerprint
        if source == "surveys":
            if group in refused_waves or len(files) != SURVEY_ENTITIES:
                to_read.extend(files)  # outcomes that depend on a refused or missing file
                continue
            entry_print = ingest_fingerprint.digest({**parts, "wave": _context(hashed)})
        for f, sha in hashed:
            carrying.entries[f.name] = (sha, entry_print)
        stored = (
            []
            if full
            else [version_store.load(source, sha, entry_print, f.name) for f, sha in hashed]
        )
        if stored and all(stored):
            carrying.carried.extend(stored)
            carried_waves.add(group)
        else:
            to_read.extend(files)
    found.files = [f for f in found.files if f in to_read]
    if source == "surveys":
        found.waves = [w for w in found.waves if w not in carried_waves]
    if carrying.carried or not found.files:
        carrying.reason = None  # nothing was ingested again for a changed input
    return carrying
