"""What ingesting one file produced: loaded rows, quarantined rows and its audit line."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

QUARANTINE_SCHEMA = {
    "source": pl.String,
    "file_name": pl.String,
    "row_number": pl.Int64,
    "column_name": pl.String,
    "reason": pl.String,
    "raw_record": pl.String,
}


SCRUBBED = ("file_name", "reason")


class FileRejected(Exception):
    """A whole file cannot be accepted: unreadable, a required column missing, too many bad rows.

    The message always names the file and, where there is one, the column.
    """

    def __init__(self, file_name: str, reason: str, column: str | None = None):
        self.file_name = file_name
        self.column = column
        self.reason = reason
        where = f"{file_name}, column {column}" if column else file_name
        super().__init__(f"{where}: {reason}")


@dataclass
class FileOutcome:
    """One file's result. Its name and reason are scrubbed of identifier-looking values as
    they are set (`identifier_scrub`): both reach audit.source_files, the run's messages, the
    logs and the site, whichever rule or reader wrote them."""

    source: str
    file_name: str
    sha256: str
    file_date: dt.date | None
    encoding: str | None = None
    # DataFrames, or SpooledFrames (rows on disk) for a file ingested in slices
    loaded: dict[str, pl.DataFrame] = field(default_factory=dict)
    quarantine: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=QUARANTINE_SCHEMA))
    rows_read: int = 0  # records, blank ones excluded: rows_read = loaded + quarantined
    rows_blank: int = 0  # blank records skipped (every cell empty), neither loaded nor quarantined
    warnings: int = 0
    status: str = "accepted"
    reason: str | None = None
    seconds: float = 0.0
    # a byte-identical copy of another file (GTFS audits republished feeds): not a version
    duplicate_of: str | None = None
    # taken from the store of versions already ingested (version_store), with its first load time
    carried: bool = False
    loaded_at: dt.datetime | None = None

    def __setattr__(self, name: str, value) -> None:
        if name in SCRUBBED and value is not None:
            from assets.ingest.identifier_scrub import scrub_text  # it imports this module

            value = scrub_text(value)
        super().__setattr__(name, value)

    @property
    def rows_loaded(self) -> int:
        return sum(frame.height for frame in self.loaded.values())

    @property
    def rows_quarantined(self) -> int:
        return self.quarantine.height

    def reject(self, error: FileRejected) -> None:
        """Mark the file rejected before any record was read: nothing loaded, nothing counted."""
        self.status = "rejected"
        self.reason = str(error)
        self.loaded = {}
        self.quarantine = pl.DataFrame(schema=QUARANTINE_SCHEMA)
        self.rows_read = 0
        self.rows_blank = 0

    def audit_row(self, run_id: str, loaded_at: dt.datetime) -> dict:
        return {
            "run_id": run_id,
            "source": self.source,
            "file_name": self.file_name,
            "sha256": self.sha256,
            "file_date": self.file_date,
            "encoding": self.encoding,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "rows_skipped_blank": self.rows_blank,
            "status": self.status,
            "reason": self.reason,
            "warnings": self.warnings,
            "seconds": round(self.seconds, 3),
            "loaded_at": self.loaded_at or loaded_at,
            "carried": self.carried,
        }
