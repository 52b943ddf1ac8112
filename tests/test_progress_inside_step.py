"""Progress inside a long step: at most one line every ten seconds (a fake clock here), from
the slices of a large file, through the run's logger to the console unless --quiet."""

from __future__ import annotations

import logging

import pytest

from assets.ingest import sliced_ingest
from assets.registrations.records import registration_format, registration_rules
from pipelines import progress
from pipelines.loggers import METADATA_ATTR, ProgressHandler
from tests.source_files import REGISTRATION_HEADER, good_registrations, write_csv
from tests.test_sliced_ingest import CODES, KEY, LOADED_AT


class FakeClock:
    """Seconds that advance by `step` each time they are read."""

    def __init__(self, step: float):
        self.now, self.step = 1000.0, step

    def __call__(self) -> float:
        value = self.now
        self.now += self.step
        return value


def test_at_most_one_line_every_ten_seconds():
    said, times = [], iter([0.0, 3.0, 9.9, 10.0, 15.0, 19.9, 20.5, 21.0])
    step = progress.InsideStep("raw.registrations", said.append, clock=lambda: next(times))
    step.advance("slice 1/8", rows=400_000)  # 3.0 s
    step.advance("slice 2/8", rows=800_000)  # 9.9 s
    step.advance("slice 3/8", rows=1_200_000)  # 10.0 s: a line
    step.advance("slice 4/8", rows=1_600_000)  # 15.0 s: 5 s after the last line
    step.advance("slice 5/8", rows=2_000_000)  # 19.9 s
    step.advance("slice 6/8")  # 20.5 s: a line, rows unknown
    assert said == [
        "progress: raw.registrations: slice 3/8, 1,200,000 rows, 10.0 s",
        "progress: raw.registrations: slice 6/8, 20.5 s",
    ]


def test_reports_go_to_the_step_that_listens_and_nowhere_else():
    progress.report("slice 1/2", rows=5)  # no step listens: nothing happens
    said = []
    clock = FakeClock(step=11)
    with progress.inside_step("raw.bus_fleet", said.append, clock=clock):
        progress.report("file 1/3")
        with progress.inside_step("inner", said.append, clock=clock):
            progress.report("part 1")
        progress.report("file 2/3")
    progress.report("slice 2/2", rows=9)
    assert said == [
        "progress: raw.bus_fleet: file 1/3, 11.0 s",
        "progress: inner: part 1, 11.0 s",
        "progress: raw.bus_fleet: file 2/3, 44.0 s",  # the inner step read the clock twice
    ]


def test_the_slices_of_a_large_file_report_their_progress(workspace, tmp_path):
    path = tmp_path / "registrations_20251031.csv"
    write_csv(path, REGISTRATION_HEADER, good_registrations(60))
    size = path.stat().st_size
    slice_bytes = size // 4 + 1  # four slices, about
    said = []
    # each slice reads the clock once: with 6 s per reading, every second slice is 12 s on
    with progress.inside_step("raw.registrations", said.append, clock=FakeClock(step=6)):
        outcome = sliced_ingest.ingest_csv_in_slices(
            path,
            path.name,
            registration_format(),
            registration_rules(CODES),
            KEY,
            LOADED_AT,
            slice_bytes,
        )
    assert outcome.status == "accepted" and outcome.rows_read == 60
    assert len(said) == 2
    for line, expected in zip(said, ("slice 2/4", "slice 4/4"), strict=True):
        assert line.startswith(f"progress: raw.registrations: {path.name} {expected}, ")
    assert said[0].endswith(" rows, 12.0 s") and said[1].endswith("60 rows, 24.0 s")


def _record(message: str, step: str = "raw__registrations") -> logging.LogRecord:
    record = logging.LogRecord("greentrack.run", logging.INFO, "", 0, message, None, None)
    setattr(
        record,
        METADATA_ATTR,
        {"dagster_event": None, "orig_message": message, "step_key": step},
    )
    return record


@pytest.mark.parametrize("verbose", [False, True])
def test_the_console_shows_the_line_once_indented_under_the_steps(capsys, verbose):
    handler = ProgressHandler(total=62, verbose=verbose)
    handler.emit(_record("progress: raw.registrations: slice 3/8, 1,200,000 rows, 12.3 s"))
    handler.emit(_record("an ordinary message"))
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "      raw.registrations: slice 3/8, 1,200,000 rows, 12.3 s"
    assert len(out) == (2 if verbose else 1)  # verbose adds the ordinary message, once


def test_quiet_runs_have_no_progress_handler():
    from pipelines import loggers

    quiet = loggers.greentrack_logger.logger_fn(_init(progress="quiet"))
    steps = loggers.greentrack_logger.logger_fn(_init(progress="steps"))
    assert not any(isinstance(h, ProgressHandler) for h in quiet.handlers)
    assert any(isinstance(h, ProgressHandler) for h in steps.handlers)


def _init(progress: str):
    import dagster as dg

    return dg.build_init_logger_context(logger_config={"progress": progress})


@pytest.mark.slow  # a Dagster materialisation: seconds, not a unit test
def test_the_registrations_asset_logs_its_slices_through_the_run(workspace, monkeypatch):
    import dagster as dg
    from dagster_duckdb import DuckDBResource

    from assets.reference.assets import reference_tables
    from assets.registrations.assets import raw_registrations

    write_csv(
        workspace / "data_raw" / "registrations" / "registrations_20251031.csv",
        REGISTRATION_HEADER,
        good_registrations(30),
    )
    monkeypatch.setattr(sliced_ingest, "SLICED_ABOVE_BYTES", 0)
    monkeypatch.setattr(sliced_ingest, "SLICE_BYTES", 400)
    monkeypatch.setattr(progress, "INSIDE_STEP_SECONDS", 0.0)  # a line for every slice
    database = str(workspace / "slices.duckdb")
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [reference_tables, raw_registrations],
            resources={"duckdb": DuckDBResource(database=database)},
            instance=instance,
        )
        messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
    lines = [m for m in messages if m.startswith("progress: raw.registrations: ")]
    assert len(lines) >= 3  # 30 records of ~100 bytes in slices of 400 bytes
    assert lines[-1].startswith(
        "progress: raw.registrations: registrations/registrations_20251031.csv "
        f"slice {len(lines)}/{len(lines)}, "
    )
    assert ", 30 rows, " in lines[-1]
