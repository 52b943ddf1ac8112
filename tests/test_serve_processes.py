"""`greentrack serve` as the bureau runs it: real webserver and daemon processes on the
persistent instance, a sensor tick that publishes, and a SIGKILL that loses nothing."""

from __future__ import annotations

import shutil
import signal
import time

import duckdb
import pytest

from tests.serve_processes import PORT, RUN_TIMEOUT, generate
from tests.serve_processes import kill as _kill
from tests.serve_processes import launch as _launch
from tests.serve_processes import published_runs as _published_runs
from tests.serve_processes import sensor_runs as _sensor_runs
from tests.serve_processes import serve as _serve
from tests.serve_processes import ui_answers as _ui_answers
from tests.serve_processes import wait as _wait

pytestmark = pytest.mark.slow


def test_serve_runs_on_a_sensor_tick_and_survives_sigkill(tmp_path):
    generated = tmp_path / "generated"
    generate(str(generated))
    data_raw = tmp_path / "data_raw"
    data_raw.mkdir()
    shutil.copytree(generated / "bus_fleet", data_raw / "bus_fleet")
    log = tmp_path / "serve.log"
    home = tmp_path / "warehouse" / ".dagster"
    serve = _serve(tmp_path, log)
    try:
        _wait("the UI", _ui_answers, 180, log)
        _wait(
            "the sensor's first look", lambda: "first look at data_raw" in log.read_text(), 180, log
        )
        for source in ("registrations", "taxi_fleet", "surveys", "gtfs"):
            shutil.copytree(generated / source, data_raw / source)
        first = _wait(
            "a published sensor run", lambda: _published_runs(tmp_path), RUN_TIMEOUT, log
        )[0]
        assert first["trigger"] == "sensor" and first["exit_code"] in (0, 3)
        with duckdb.connect(
            str(tmp_path / "warehouse" / "green_transport.duckdb"), read_only=True
        ) as con:
            audit = [r[0] for r in con.execute("select run_id from audit.runs").fetchall()]
        assert first["run_id"] in audit
        assert [run.run_id for run in _sensor_runs(home)] == [first["run_id"]]
        _kill(serve)  # SIGKILL: no clean shutdown of the webserver or the daemon

        # a file dropped while the service is down starts exactly one run after the restart
        newest = sorted((data_raw / "bus_fleet").iterdir())[-1]
        shutil.copy(newest, newest.with_name("bus_fleet_20251130" + newest.suffix))
        serve = _serve(tmp_path, log)
        runs = _wait(
            "a second published run",
            lambda: len(_published_runs(tmp_path)) >= 2 and _published_runs(tmp_path),
            RUN_TIMEOUT,
            log,
        )
        time.sleep(10)  # a few more sensor ticks: the same drop must not start another run
        sensor_runs = _sensor_runs(home)
        assert len(sensor_runs) == 2  # history kept, one run for the drop
        assert {run.run_id for run in sensor_runs} == {r["run_id"] for r in runs}
        assert not (tmp_path / "warehouse" / "green_transport.duckdb.work").exists()
    finally:
        _kill(serve, signal.SIGTERM, root=tmp_path)


def test_two_runs_triggered_together_take_turns(tmp_path):
    generate(str(tmp_path / "data_raw"))
    log = tmp_path / "serve.log"
    serve = _serve(tmp_path, log, port=str(int(PORT) + 1))
    try:
        _wait(
            "the sensor's first look", lambda: "first look at data_raw" in log.read_text(), 240, log
        )
        _launch(tmp_path)
        _launch(tmp_path)
        runs = _wait(
            "two published runs",
            lambda: len(_published_runs(tmp_path)) >= 2 and _published_runs(tmp_path),
            2 * RUN_TIMEOUT,
            log,
        )
        assert [r["trigger"] for r in runs] == ["ui", "ui"]
        first, second = sorted(runs, key=lambda r: r["started_at"])
        assert first["ended_at"] <= second["started_at"]  # one writer at a time
        with duckdb.connect(
            str(tmp_path / "warehouse" / "green_transport.duckdb"), read_only=True
        ) as con:
            audit = {r[0] for r in con.execute("select run_id from audit.runs").fetchall()}
        assert {first["run_id"], second["run_id"]} <= audit  # the file is whole and has both
    finally:
        _kill(serve, signal.SIGTERM, root=tmp_path)
