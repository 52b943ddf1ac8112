"""Progress the operator can read: one line per finished asset step of a run, as
`[17/62] raw.registrations 4.1 s, 503,775 rows`, instead of Dagster's event stream. The count
runs over every step; a check step that passed advances it without a line of its own (the run's
summary reports the checks), so a scale-1 run fits on one screen with its summary.

Fed by the run's logger (pipelines/loggers.py) with Dagster's own events, so every run prints
it, whatever started it: `greentrack run` on its stdout, a daemon-launched run in its process
output. `quiet` prints nothing, `verbose` adds every Dagster event message (local times).

A step that runs for long (the slices of a provincial registrations export) also says how far it
has got, at most once every INSIDE_STEP_SECONDS, indented under the step lines:
`      raw.registrations: slice 3/8, 1,200,000 rows, 12.3 s`. The step logs it as an INFO
message marked INSIDE_STEP_MARK through the run's logger, the same path as the step lines, so
every trigger gets it; the code doing the long work reports through `inside_step` without
knowing about Dagster.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import time
from collections.abc import Callable, Iterator

MODES = ("quiet", "steps", "verbose")
INSIDE_STEP_SECONDS = 10.0
INSIDE_STEP_MARK = "progress: "
INSIDE_STEP_INDENT = " " * 6
ROW_KEYS = ("dagster/row_count", "rows", "rows_loaded")
BUILD_KEY = "build"  # "skipped (unchanged)" when an asset took its output unchanged


def step_label(step_key: str) -> str:
    """`raw__registrations` -> `raw.registrations` (an asset key's parts, as in the UI)."""
    return step_key.replace("__", ".")


def rows_of(metadata: dict) -> int | None:
    """The row count an asset reported, under any of the names our assets use."""
    for key in ROW_KEYS:
        value = metadata.get(key)
        value = getattr(value, "value", value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def step_line(
    done: int, total: int | None, label: str, seconds: float, rows, failed=False, note=None
):
    where = f"[{done}/{total}]" if total else f"[{done}]"
    text = f"{where} {label} {seconds:.1f} s"
    if failed:
        return text + ", FAILED"
    text += f", {rows:,} rows" if rows is not None else ""
    return text + (f", {note}" if note else "")


def note_of(metadata: dict) -> str | None:
    """What an asset said of how it was built, when it did not build its output afresh."""
    value = metadata.get(BUILD_KEY)
    value = getattr(value, "value", value)
    return value if isinstance(value, str) and value.startswith("skipped") else None


def local_time(timestamp: float) -> str:
    """A moment as the operator's clock shows it (the machine's zone)."""
    return dt.datetime.fromtimestamp(timestamp).astimezone().strftime("%H:%M:%S")


class StepProgress:
    """Counts finished steps and remembers the rows each step's materialisations reported."""

    def __init__(self, total: int | None):
        self.total = total
        self.done = 0
        self.rows: dict[str, int] = {}
        self.notes: dict[str, str] = {}
        self.assets: dict[str, list[str]] = {}  # step -> asset keys it materialised
        self.started: dict[str, float] = {}

    def on_event(self, event, timestamp: float) -> str | None:
        """The line to print for a Dagster event logged at `timestamp`, or None."""
        kind, step = event.event_type_value, event.step_key
        if kind == "STEP_START" and step:
            self.started[step] = timestamp
        elif kind == "ASSET_MATERIALIZATION" and step:
            materialization = event.event_specific_data.materialization
            key = ".".join(materialization.asset_key.path)
            self.assets.setdefault(step, []).append(key)
            rows = rows_of(dict(materialization.metadata))
            if rows is not None:
                self.rows[step] = self.rows.get(step, 0) + rows
            note = note_of(dict(materialization.metadata))
            if note is not None:
                self.notes[step] = note
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and step:
            self.done += 1
            failed = kind == "STEP_FAILURE"
            keys = self.assets.get(step, [])
            if not keys and not failed:
                return None  # a check that passed
            millis = getattr(event.event_specific_data, "duration_ms", None)
            seconds = millis / 1000 if millis else timestamp - self.started.get(step, timestamp)
            label = keys[0] if len(keys) == 1 else step_label(step)
            rows, note = self.rows.get(step), self.notes.get(step)
            return step_line(self.done, self.total, label, seconds, rows, failed, note)
        return None


class InsideStep:
    """Reports a long step's progress through `say`, at most once every `every` seconds of
    `clock`: the first report comes `every` seconds after the step began, never sooner, so a
    step that ends within that time prints nothing of its own."""

    def __init__(
        self,
        label: str,
        say: Callable[[str], None],
        clock: Callable[[], float] | None = None,
        every: float | None = None,
    ):
        self.label, self.say = label, say
        self.clock = clock or time.monotonic
        self.every = INSIDE_STEP_SECONDS if every is None else every
        self.began = self.last = self.clock()

    def advance(self, what: str, rows: int | None = None) -> None:
        """`what` has been done (e.g. `slice 3/8`), with `rows` so far when known."""
        now = self.clock()
        if now - self.last < self.every:
            return
        self.last = now
        text = f"{self.label}: {what}"
        if rows is not None:
            text += f", {rows:,} rows"
        self.say(f"{INSIDE_STEP_MARK}{text}, {now - self.began:.1f} s")


_current: contextvars.ContextVar[InsideStep | None] = contextvars.ContextVar(
    "greentrack_inside_step", default=None
)


@contextlib.contextmanager
def inside_step(label: str, say: Callable[[str], None], **kwargs) -> Iterator[InsideStep]:
    """While the block runs, `report` goes to this step's InsideStep."""
    reporter = InsideStep(label, say, **kwargs)
    token = _current.set(reporter)
    try:
        yield reporter
    finally:
        _current.reset(token)


def report(what: str, rows: int | None = None) -> None:
    """Progress of the long work under way; nothing when no step listens (a unit test)."""
    reporter = _current.get()
    if reporter is not None:
        reporter.advance(what, rows)


def inside_step_line(message: str) -> str | None:
    """The console line of a progress message a step logged, or None for any other message."""
    if not message.startswith(INSIDE_STEP_MARK):
        return None
    return INSIDE_STEP_INDENT + message[len(INSIDE_STEP_MARK) :]
