"""Split a source's files into those carried from the version store and those to ingest.

Used by `source_run` for the sources listed in `ingest_fingerprint.SOURCE_INPUTS` (the three
full-ledger sources, whose monthly snapshots are the bulk of every night): each file is
ingested once per fingerprint; GTFS feeds and survey waves are read every run (a survey
file's rows depend on the other files of its wave, a feed's on its validation notices).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from assets.ingest import ingest_fingerprint, version_store
from assets.ingest.discovery import Discovery
from assets.ingest.outcome import FileOutcome
from assets.ingest.sliced_ingest import file_sha256


@dataclass
class Carrying:
    """This run's plan for one source: the fingerprint, what is carried and why not more."""

    source: str
    parts: dict[str, str]
    fingerprint: str
    reason: str | None  # why stored outcomes cannot be used (None: they can)
    carried: list[FileOutcome] = field(default_factory=list)
    sha256s: dict[str, str] = field(default_factory=dict)  # file name -> sha256

    def save(self, outcomes: list[FileOutcome], loaded_at: dt.datetime) -> None:
        """Store every freshly ingested outcome that follows from its bytes alone."""
        for outcome in outcomes:
            if not outcome.carried and version_store.storable(outcome):
                version_store.save(outcome, self.fingerprint, loaded_at)

    def finish(self) -> None:
        version_store.keep_only(
            self.source, self.fingerprint, set(self.sha256s.values()), self.parts
        )


def plan(found: Discovery, source: str, key: bytes, full: bool) -> Carrying | None:
    """Take the carried outcomes out of `found.files` (in place); None for a source that is
    always ingested whole."""
    if source not in ingest_fingerprint.SOURCE_INPUTS:
        return None
    parts = ingest_fingerprint.components(source, key)
    fingerprint = ingest_fingerprint.digest(parts)
    reason = version_store.reingest_reason(source, parts, full)
    carrying = Carrying(source, parts, fingerprint, reason)
    to_read = []
    for source_file in found.files:
        try:
            sha256 = file_sha256(source_file.path)
        except OSError:
            to_read.append(source_file)  # the ingest reports it unreadable
            continue
        carrying.sha256s[source_file.name] = sha256
        stored = None
        if not full:
            stored = version_store.load(source, sha256, fingerprint, source_file.name)
        if stored is None:
            to_read.append(source_file)
        else:
            carrying.carried.append(stored)
    found.files = to_read
    if carrying.carried or not found.files:
        carrying.reason = None  # nothing was ingested again for a changed input
    return carrying
