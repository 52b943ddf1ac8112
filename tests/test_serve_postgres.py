"""`greentrack serve` on PostgreSQL instance storage, against a real server the test starts:
a sensor run publishes and is in audit.runs, runs.jsonl, the UI's run list and the database;
a SIGKILL loses neither run history nor the sensor's cursor; two queued runs take turns."""

from __future__ import annotations

import shutil
import signal
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.instance import POSTGRES_URL_ENV
from tests.postgres_server import runs_in_postgres
from tests.serve_processes import (
    RUN_TIMEOUT,
    generate,
    kill,
    launch,
    published_runs,
    sensor_runs,
    serve,
    ui_answers,
    ui_run_list,
    wait,
)

pytestmark = pytest.mark.slow
PORT = "3935"


def _audit_run_ids(root: Path) -> set[str]:
    database = root / "warehouse" / "green_transport.duckdb"
    with duckdb.connect(str(database), read_only=True) as con:
        return {r[0] for r in con.execute("select run_id from audit.runs").fetchall()}


def test_serve_on_postgres_publishes_survives_sigkill_and_runs_one_at_a_time(
    tmp_path, monkeypatch, postgres_url
):
    # the test process reads the instance too: its dagster.yaml names this variable
    monkeypatch.setenv(POSTGRES_URL_ENV, postgres_url)
    generated = tmp_path / "generated"
    generate(generated)
    data_raw = tmp_path / "data_raw"
    data_raw.mkdir()
    shutil.copytree(generated / "bus_fleet", data_raw / "bus_fleet")
    log = tmp_path / "serve.log"
    home = tmp_path / "warehouse" / ".dagster"
    process = serve(tmp_path, log, port=PORT)
    try:
        wait("the UI", lambda: ui_answers(PORT), 180, log)
        assert POSTGRES_URL_ENV in (home / "dagster.yaml").read_text()
        wait(
            "the sensor's first look", lambda: "first look at data_raw" in log.read_text(), 180, log
        )
        for source in ("registrations", "taxi_fleet", "surveys", "gtfs"):
            shutil.copytree(generated / source, data_raw / source)
        first = wait("a published sensor run", lambda: published_runs(tmp_path), RUN_TIMEOUT, log)[
            0
        ]
        assert first["trigger"] == "sensor" and first["exit_code"] in (0, 3)
        assert first["run_id"] in _audit_run_ids(tmp_path)
        assert first["run_id"] in runs_in_postgres(postgres_url)
        assert ui_run_list(PORT)[first["run_id"]] == "SUCCESS"
        assert [run.run_id for run in sensor_runs(home)] == [first["run_id"]]
        assert not (home / "history").exists()  # no SQLite run storage beside PostgreSQL
        kill(process)  # SIGKILL: no clean shutdown of the webserver or the daemon

        # while the service is down: a file is dropped and an operator launches the job;
        # after the restart the launched run and the drop's sensor run share the queue
        newest = sorted((data_raw / "bus_fleet").iterdir())[-1]
        shutil.copy(newest, newest.with_name("bus_fleet_20251130" + newest.suffix))
        launch(tmp_path)
        process = serve(tmp_path, log, port=PORT)
        runs = wait(
            "three published runs",
            lambda: len(published_runs(tmp_path)) >= 3 and published_runs(tmp_path),
            2 * RUN_TIMEOUT,
            log,
        )
        time.sleep(10)  # a few more sensor ticks: the same drop must not start another run
        assert len(published_runs(tmp_path)) == 3
        later = sorted(runs[1:], key=lambda r: r["started_at"])
        assert sorted(r["trigger"] for r in later) == ["sensor", "ui"]
        assert later[0]["ended_at"] <= later[1]["started_at"]  # one writer at a time
        assert {r["run_id"] for r in runs} <= _audit_run_ids(tmp_path)  # whole, with all three
        sensor_ids = {run.run_id for run in sensor_runs(home)}
        assert len(sensor_ids) == 2  # history kept, the cursor kept: one run for the drop
        assert {r["run_id"] for r in runs} <= runs_in_postgres(postgres_url)
        assert {r["run_id"] for r in runs} <= set(ui_run_list(PORT))
        assert not (tmp_path / "warehouse" / "green_transport.duckdb.work").exists()
    finally:
        kill(process, signal.SIGTERM, root=tmp_path)
