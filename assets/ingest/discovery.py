"""Which entries of data_raw/ a source reads, and which it leaves alone (docs/sources.md).

Only regular files inside data_raw/ whose names match the source's pattern are read:
`registrations_YYYYMMDD.csv`, `bus_fleet_YYYYMMDD.xlsx`, `taxi_fleet_YYYYMMDD.csv`,
`<feed_name>_YYYYMMDD.zip` and `surveys/<wave_id>/{households,persons,trips}.csv`.
Everything else in a source's folder (a backup `… - 副本.csv`, an Excel lock file `~$…`,
`.ipynb_checkpoints/`, a name without a real date, a stray folder in surveys/) is listed
as ignored, with why, and never opened: a misleading name must not become a file date.

Decisions the contract leaves open:
- The extension is matched in any case (`.csv`, `.CSV`): Windows tools write both. The rest
  of the name is exact. `registrations_20251031.csv` and `registrations_20251031.CSV` are
  then two files of one date, which the plausibility gate rejects both of.
- YYYYMMDD must be a real calendar date (`20251331` is ignored, not guessed at).
- A feed_name is word characters, `.` and `-`, starting with a word character; a wave id is
  ASCII letters, digits, `_` and `-`, with no leading dot. A folder in surveys/ that holds
  none of the three survey files is not a wave; one that holds some is, and its missing
  files are rejected by the wave's ingest.
- A symlink is read only when its target is a regular file inside data_raw/ (a folder of
  exports linked from another folder of the same drop). One pointing outside data_raw/, to
  a device, a FIFO, a socket or a folder is ignored; none of them is ever opened, so a FIFO
  or /dev/zero cannot hang or flood the run. Kinds are read with lstat/stat first; a name
  that passes is opened non-blocking and checked again with fstat before one byte is read.
- A matching regular file that cannot be opened or read is not ignored but reported as
  unreadable, so that the run rejects it by name (exit 3). A source folder the run may not
  list is not a file: the PermissionError fails the run (exit 1) naming the folder, as
  an unreadable data_raw/ does.
- A file whose content (sha256) was already found under another name is not ingested
  twice: the copy with the newest name is kept (the name carries the export date). GTFS
  keeps every copy, since its ingest audits a republished feed itself.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from assets.ingest.identifier_scrub import scrub_text
from assets.ingest.sliced_ingest import file_sha256

DATE = r"(?P<date>\d{8})"
WAVE_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]*")
SURVEY_FILE = re.compile(r"(?P<entity>households|persons|trips)\.(?i:csv)")


@dataclass(frozen=True)
class SourcePattern:
    """Where a source's files live and what their names look like."""

    source: str
    folder: str
    name: re.Pattern  # matched against the whole file name; groups `date`, optional `series`
    shape: str  # the pattern as an operator reads it, for warnings
    dedupe: bool = True

    def series_of(self, file_name: str) -> str:
        """The versions a file belongs to: the source itself, a GTFS feed_name, or a survey
        wave's entity file (`2024/trips`). `file_name` is relative to data_raw/."""
        path = Path(file_name)
        if self.source == "surveys":
            return f"{path.parent.name}/{path.stem.lower()}"
        match = self.name.fullmatch(path.name)
        series = match.groupdict().get("series") if match else None
        return series or self.source


REGISTRATIONS = SourcePattern(
    "registrations",
    "registrations",
    re.compile(rf"registrations_{DATE}\.(?i:csv)"),
    "registrations_YYYYMMDD.csv",
)
BUS_FLEET = SourcePattern(
    "bus_fleet", "bus_fleet", re.compile(rf"bus_fleet_{DATE}\.(?i:xlsx)"), "bus_fleet_YYYYMMDD.xlsx"
)
TAXI_FLEET = SourcePattern(
    "taxi_fleet",
    "taxi_fleet",
    re.compile(rf"taxi_fleet_{DATE}\.(?i:csv)"),
    "taxi_fleet_YYYYMMDD.csv",
)
GTFS = SourcePattern(
    "gtfs",
    "gtfs",
    re.compile(rf"(?P<series>\w[\w.-]*)_{DATE}\.(?i:zip)"),
    "<feed_name>_YYYYMMDD.zip",
    dedupe=False,
)
SURVEYS = SourcePattern(
    "surveys",
    "surveys",
    SURVEY_FILE,
    "<wave_id>/{households,persons,trips}.csv",
    dedupe=False,
)


@dataclass(frozen=True)
class SourceFile:
    path: Path  # as found in data_raw/ (possibly a symlink to a file inside it)
    name: str  # relative to data_raw/: the audit's file_name
    series: str
    file_date: dt.date | None


@dataclass(frozen=True)
class Ignored:
    """An entry left alone. Its name and reason are scrubbed as they are set: a name is the
    drop's free text, and may hold a plate or an ID number (`苏E12345 备份.csv`)."""

    name: str  # relative to data_raw/
    why: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", scrub_text(self.name))
        object.__setattr__(self, "why", scrub_text(self.why))

    def __str__(self) -> str:
        return f"{self.name} ({self.why})"


@dataclass
class Discovery:
    """What a source's folder holds: files to ingest (oldest first), entries ignored, and
    matching files that cannot be read (to be rejected by name)."""

    files: list[SourceFile] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    unreadable: list[tuple[SourceFile, str]] = field(default_factory=list)
    waves: list[str] = field(default_factory=list)  # surveys only: wave ids, in order


def discover(data_raw: Path, pattern: SourcePattern) -> Discovery:
    """The files of `pattern`'s source in data_raw/, without opening anything else."""
    root = Path(os.path.realpath(data_raw))
    found = Discovery()
    folder = data_raw / pattern.folder
    try:
        folder.lstat()
    except FileNotFoundError:
        return found  # a source not delivered yet; a folder the run may not list fails it
    name = relative(folder, data_raw)
    why = entry_problem(folder, root, want_dir=True)
    if why:
        found.ignored.append(Ignored(name, why))
        return found
    if pattern.source == "surveys":
        _discover_waves(folder, data_raw, root, found)
    else:
        for entry in _entries(folder):
            _consider(entry, data_raw, root, pattern, found)
    found.files.sort(key=lambda f: (f.file_date or dt.date.min, f.name))
    if pattern.dedupe:
        _drop_copies(found)
    return found


def relative(path: Path, data_raw: Path) -> str:
    try:
        return path.relative_to(data_raw).as_posix()
    except ValueError:
        return path.name


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.iterdir(), key=lambda p: p.name)


def _consider(
    entry: Path, data_raw: Path, root: Path, pattern: SourcePattern, found: Discovery
) -> None:
    name = relative(entry, data_raw)
    match = pattern.name.fullmatch(entry.name)
    why = entry_problem(entry, root, want_dir=False)
    if not match:
        kind = f"{why}; " if why else ""
        found.ignored.append(Ignored(name, f"{kind}name does not match {pattern.shape}"))
        return
    file_date = None
    if "date" in match.groupdict():
        file_date = real_date(match.group("date"))
        if file_date is None:
            found.ignored.append(Ignored(name, f"{match.group('date')} is not a real date"))
            return
    if why:
        found.ignored.append(Ignored(name, why))
        return
    source_file = SourceFile(entry, name, pattern.series_of(name), file_date)
    problem = readable_problem(entry)
    if problem:
        found.unreadable.append((source_file, problem))
    else:
        found.files.append(source_file)


def _discover_waves(folder: Path, data_raw: Path, root: Path, found: Discovery) -> None:
    for entry in _entries(folder):
        name = relative(entry, data_raw)
        why = entry_problem(entry, root, want_dir=True)
        if why or not WAVE_ID.fullmatch(entry.name):
            reason = why or "not a wave id (ASCII letters, digits, _ and -, no leading dot)"
            found.ignored.append(Ignored(name, reason))
            continue
        entries = _entries(entry)
        if not any(SURVEY_FILE.fullmatch(e.name) for e in entries):
            found.ignored.append(
                Ignored(name, "holds none of households.csv, persons.csv, trips.csv: not a wave")
            )
            continue
        found.waves.append(entry.name)
        for wave_entry in entries:
            _consider(wave_entry, data_raw, root, SURVEYS, found)


def real_date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


def entry_problem(path: Path, root: Path, want_dir: bool) -> str | None:
    """Why `path` is not a regular file (a folder when `want_dir`) inside `root`, or None.
    Only lstat/stat and realpath: nothing is opened."""
    try:
        mode = path.lstat().st_mode
    except OSError as error:
        return f"cannot be examined: {error.strerror}"
    target = Path(os.path.realpath(path))
    if target != root and not target.is_relative_to(root):
        return "symlink pointing outside data_raw/" if stat.S_ISLNK(mode) else "outside data_raw/"
    if stat.S_ISLNK(mode):
        try:
            mode = path.stat().st_mode
        except OSError:
            return "broken symlink"
    if want_dir:
        return None if stat.S_ISDIR(mode) else f"{kind_of(mode)}, not a folder"
    return None if stat.S_ISREG(mode) else kind_of(mode)


def kind_of(mode: int) -> str:
    kinds = (
        (stat.S_ISREG, "a regular file"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((text for test, text in kinds if test(mode)), "not a regular file")


def readable_problem(path: Path) -> str | None:
    """None when `path` opens and yields its first byte; else `unreadable: <why>`.

    Opened non-blocking and checked with fstat, so a FIFO or device swapped in after the
    lstat cannot block the run."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        return f"unreadable: {error.strerror or error}"
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            return f"unreadable: became {kind_of(mode)} while being read"
        os.read(descriptor, 1)
    except OSError as error:
        return f"unreadable: {error.strerror or error}"
    finally:
        os.close(descriptor)
    return None


def _drop_copies(found: Discovery) -> None:
    """Keep each content once, under its newest name; the others are listed as ignored."""
    kept: dict[str, SourceFile] = {}
    for source_file in reversed(found.files):
        try:
            digest = file_sha256(source_file.path)
        except OSError as error:
            found.unreadable.append((source_file, f"unreadable: {error.strerror or error}"))
            continue
        if digest in kept:
            why = f"same content as {kept[digest].name}: not ingested twice"
            found.ignored.append(Ignored(source_file.name, why))
            continue
        kept[digest] = source_file
    found.files = [f for f in found.files if f in kept.values()]


def ignored_warning(source: str, ignored: list[Ignored]) -> str:
    """The one warning that lists everything a source left alone in data_raw/."""
    listed = "; ".join(str(entry) for entry in ignored)
    return f"[{source}] {len(ignored)} entries in data_raw/ not ingested: {listed}"
