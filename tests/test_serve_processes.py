"""`greentrack serve` as the bureau runs it: real webserver and daemon processes on the
persistent instance, a sensor tick that publishes, and a SIGKILL that loses nothing."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.instance import TRIGGER_TAG

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
PORT = "3931"
RUN_TIMEOUT = 600


def _serve(root: Path, log: Path, port: str = PORT) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env.update(
        PATH="/usr/bin:/bin",  # no venv on PATH: serve must find Dagster through sys.executable
        GREENTRACK_DATA_RAW=str(root / "data_raw"),
        GREENTRACK_WAREHOUSE_DIR=str(root / "warehouse"),
        GREENTRACK_DASHBOARDS_DIR=str(root / "site"),
        GREENTRACK_PSEUDONYM_KEY="serve-test-key",
        GREENTRACK_SENSOR_INTERVAL_SECONDS="2",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "serve", "--port", port],
        cwd=root,
        env=env,
        stdout=open(log, "ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # one process group: the test can SIGKILL all of it
    )


def _wait(what: str, condition, timeout: float, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(2)
    raise AssertionError(
        f"timed out waiting for {what}; serve log tail:\n{log.read_text()[-3000:]}"
    )


def _published_runs(root: Path) -> list[dict]:
    path = root / "warehouse" / "runs.jsonl"
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [r for r in lines if r.get("status") == "published"]


def _ui_answers() -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/server_info", timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


def _sensor_runs(home: Path) -> list[dg.DagsterRun]:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return [run for run in instance.get_runs() if run.tags.get(TRIGGER_TAG) == "sensor"]


def _kill(process: subprocess.Popen, signum=signal.SIGKILL) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass
    process.wait(timeout=60)


def test_serve_runs_on_a_sensor_tick_and_survives_sigkill(tmp_path):
    generated = tmp_path / "generated"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines.cli",
            "generate",
            "--out",
            str(generated),
            "--scale",
            "0.02",
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
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
        _kill(serve, signal.SIGTERM)


def _launch(root: Path) -> None:
    """`dagster job launch` of the nightly job, as an operator would: through the run queue."""
    env = {**os.environ, "DAGSTER_HOME": str(root / "warehouse" / ".dagster")}
    env.update(
        GREENTRACK_DATA_RAW=str(root / "data_raw"),
        GREENTRACK_WAREHOUSE_DIR=str(root / "warehouse"),
        GREENTRACK_DASHBOARDS_DIR=str(root / "site"),
        GREENTRACK_PSEUDONYM_KEY="serve-test-key",
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "dagster",
            "job",
            "launch",
            "-m",
            "pipelines.definitions",
            "-d",
            str(REPO),
            "-j",
            "nightly_refresh",
        ],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


def test_two_runs_triggered_together_take_turns(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines.cli",
            "generate",
            "--out",
            str(tmp_path / "data_raw"),
            "--scale",
            "0.02",
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
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
        _kill(serve, signal.SIGTERM)
