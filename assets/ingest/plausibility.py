"""The plausibility gate: what a readable file must also be before it can become the truth.

The staging models take each source's newest ACCEPTED file, so a file that reads cleanly
but is implausible (a draft holding only a header, a partial export, a date in the future,
a second file for the same date) would silently move a headline. The gate rejects such a
file by name (exit 3) and the run falls back to the previous accepted file.

Rules, per source and per series of versions (`SourcePattern.series_of`: the source itself,
each GTFS feed_name, each survey wave's entity file):
- two files of one series with the same date (for surveys: two spellings of one wave's
  file, `trips.csv` and `trips.CSV`) are both rejected before either is read, each reason
  naming all of them. Identical content under two names is not a clash: discovery keeps one.
- a file dated after the day of the run is rejected. `run_day()` is the one use of the
  clock in the pipeline: the calendar day in China Standard Time (UTC+8, no daylight
  saving), when the bureau's exports are dated; tests monkeypatch it.
- a file with no records (header only) is rejected.
- a file whose records fall below (1 − GREENTRACK_MAX_ROW_DROP) of the previous accepted
  version's is rejected. The previous version is the latest earlier-dated file of the same
  series accepted in this run; failing that, the newest accepted one of the series in the
  published warehouse (dated before this file; for undated survey files, the same file
  name), opened read-only. A rejected file never becomes anyone's previous version.

A rejected file keeps its audit row; as for every whole-file rejection its rows are
neither loaded nor quarantined (counts 0/0/0), and anything it spooled is deleted.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from assets.ingest.discovery import SourceFile
from assets.ingest.outcome import FileOutcome, FileRejected
from assets.ingest.sliced_ingest import file_sha256
from assets.ingest.spool import SpooledFrame
from pipelines import project
from pipelines.warehouse import table_exists

log = logging.getLogger(__name__)
CHINA_STANDARD_TIME = dt.timezone(dt.timedelta(hours=8), "CST")


def run_day() -> dt.date:
    """Today in China Standard Time: the one reading of the clock (see the module doc)."""
    return dt.datetime.now(CHINA_STANDARD_TIME).date()


@dataclass(frozen=True)
class Version:
    """An accepted file: enough to judge the next version of its series against."""

    file_name: str
    sha256: str
    file_date: dt.date | None
    rows_read: int
    is_current: bool = True  # false: an earlier content of that name, kept for audit


def same_date_clashes(files: list[SourceFile]) -> list[tuple[SourceFile, str]]:
    """Every file that shares its series and date with another, with the reason naming all."""
    slots: dict[tuple[str, dt.date | None], list[SourceFile]] = {}
    for source_file in files:
        slots.setdefault((source_file.series, source_file.file_date), []).append(source_file)
    clashes = []
    for (series, file_date), group in slots.items():
        if len(group) < 2:
            continue
        names = " and ".join(f.name for f in group)
        what = f"the date {file_date}" if file_date else f"one file ({series})"
        reason = f"{len(group)} files share {what}: {names}; all are rejected"
        clashes.extend((f, reason) for f in group)
    return clashes


def published_versions(source: str) -> list[Version]:
    """Accepted files of `source` in the published warehouse (none when there is none)."""
    path = project.published_warehouse_path()
    if not path.is_file():
        return []
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            if not table_exists(con, "audit.source_files"):
                return []
            rows = con.execute(
                "select file_name, sha256, file_date, rows_read, is_current "
                "from audit.source_files where source = ? and status = 'accepted'",
                [source],
            ).fetchall()
    except duckdb.Error as error:
        log.warning("cannot read the published warehouse's audit for %s: %s", source, error)
        return []
    return [Version(*row) for row in rows]


def previous_published(
    outcome: FileOutcome, series: str, published: list[Version], series_of
) -> Version | None:
    """The newest published accepted version of `series` before this file."""

    def earlier(version: Version) -> bool:
        if series_of(version.file_name) != series or version.sha256 == outcome.sha256:
            return False
        if outcome.file_date is None:
            return version.file_name == outcome.file_name
        return version.file_date is not None and version.file_date < outcome.file_date

    candidates = [v for v in published if earlier(v)]
    return max(
        candidates,
        key=lambda v: (v.file_date or dt.date.min, v.is_current, v.file_name),
        default=None,
    )


def implausibility(
    outcome: FileOutcome, previous: Version | None, today: dt.date, max_drop: float
) -> str | None:
    """Why an ingested, otherwise accepted file cannot become the truth, or None."""
    if outcome.file_date is not None and outcome.file_date > today:
        return f"file date {outcome.file_date} is after the day of the run ({today})"
    if outcome.rows_read == 0:
        return "header-only: the file holds no records"
    if previous is not None and outcome.rows_read < (1 - max_drop) * previous.rows_read:
        return (
            f"{outcome.rows_read} records, fewer than {1 - max_drop:.0%} of the "
            f"{previous.rows_read} of the previous accepted version {previous.file_name} "
            f"(GREENTRACK_MAX_ROW_DROP={max_drop:g})"
        )
    return None


def judge(
    outcomes: list[FileOutcome],
    series_of: Callable[[str], str],
    published: list[Version],
    today: dt.date,
    max_drop: float,
) -> list[FileOutcome]:
    """Reject, in place, every accepted outcome the rules refuse; returns those rejected.
    Outcomes are judged oldest first, so each meets the version accepted before it."""
    accepted: dict[str, Version] = {}
    rejected: dict[str, FileOutcome] = {}
    ordered = sorted(outcomes, key=lambda o: (o.file_date or dt.date.min, o.file_name))
    for outcome in ordered:
        if outcome.status != "accepted" or outcome.duplicate_of is not None:
            continue
        series = series_of(outcome.file_name)
        previous = accepted.get(series) or previous_published(outcome, series, published, series_of)
        problem = implausibility(outcome, previous, today, max_drop)
        if problem:
            reject(outcome, problem)
            rejected[outcome.file_name] = outcome
        else:
            accepted[series] = Version(
                outcome.file_name, outcome.sha256, outcome.file_date, outcome.rows_read
            )
    for outcome in ordered:  # a copy of a refused file (GTFS audits republished copies)
        original = rejected.get(outcome.duplicate_of or "")
        if original is not None and outcome.status == "accepted":
            reject(outcome, f"byte-identical to {original.file_name}, rejected: {original.reason}")
            rejected[outcome.file_name] = outcome
    return list(rejected.values())


def reject(outcome: FileOutcome, problem: str) -> None:
    """Reject a file already ingested: its spooled rows are deleted, nothing is counted."""
    for frame in [*outcome.loaded.values(), outcome.quarantine]:
        if isinstance(frame, SpooledFrame):
            frame.discard()
    outcome.reject(FileRejected(outcome.file_name, problem))


def refused_outcome(source: str, source_file: SourceFile, reason: str) -> FileOutcome:
    """The audit line of a file rejected before it was read (unreadable, same date)."""
    try:
        digest = "" if reason.startswith("unreadable") else file_sha256(source_file.path)
    except OSError:
        digest = ""
    outcome = FileOutcome(source, source_file.name, digest, source_file.file_date)
    outcome.reject(FileRejected(source_file.name, reason))
    return outcome
