"""`greentrack serve` on PostgreSQL instance storage, against a real server the test starts:
a sensor run publishes and is in audit.runs, runs.jsonl, the UI's run list and the database;
a SIGKILL loses neither run history nor the sensor's cursor; two queued runs take turns."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psycopg2
import pytest

from pipelines.instance import POSTGRES_URL_ENV
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
PG_PORT = 55432  # only names the Unix socket: the server listens on no TCP address
SERVER_USER = "nobody"  # PostgreSQL refuses to run as root
DB = "greentrack_dagster"


def _server_binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if not found:
        pytest.skip(
            "no PostgreSQL server: /usr/lib/postgresql/*/bin/postgres is absent; "
            "`make system-deps` installs Debian's postgresql package (as root)"
        )
    return Path(found[-1]).parent


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A throwaway server in a fresh cluster under /tmp (a short path: a Unix socket's name
    has ~100 characters at most), run as an unprivileged user when the test runs as root."""
    bin_dir = _server_binaries()
    as_user: dict = {}
    if os.geteuid() == 0:
        server_user = pwd.getpwnam(SERVER_USER)
        as_user = {"user": server_user.pw_uid, "group": server_user.pw_gid, "extra_groups": []}
    root = Path(tempfile.mkdtemp(prefix="gtpg-", dir="/tmp"))
    server = None
    try:
        if as_user:
            os.chown(root, as_user["user"], as_user["group"])
        subprocess.run(
            [bin_dir / "initdb", "-D", root / "data", "-U", "greentrack", "--auth=trust"]
            + ["-E", "UTF8", "--no-sync"],
            check=True,
            capture_output=True,
            **as_user,
        )
        server = subprocess.Popen(
            [bin_dir / "postgres", "-D", root / "data", "-k", root, "-p", str(PG_PORT)]
            + ["-c", "listen_addresses=", "-c", "fsync=off"],
            stdout=open(root / "server.log", "ab"),
            stderr=subprocess.STDOUT,
            **as_user,
        )
        for _ in range(60):
            ready = subprocess.run(
                [bin_dir / "pg_isready", "-h", root, "-p", str(PG_PORT)], capture_output=True
            )
            if ready.returncode == 0:
                break
            time.sleep(0.5)
        subprocess.run(
            [bin_dir / "createdb", "-h", root, "-p", str(PG_PORT), "-U", "greentrack", DB],
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg2://greentrack@/{DB}?host={root}&port={PG_PORT}"
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)  # PostgreSQL's fast shutdown
            server.wait(timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def _runs_in_postgres(url: str) -> set[str]:
    libpq_url = url.replace("postgresql+psycopg2://", "postgresql://")
    with psycopg2.connect(libpq_url) as con, con.cursor() as cursor:
        cursor.execute("select run_id from runs")
        return {row[0] for row in cursor.fetchall()}


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
        assert first["run_id"] in _runs_in_postgres(postgres_url)
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
        assert {r["run_id"] for r in runs} <= _runs_in_postgres(postgres_url)
        assert {r["run_id"] for r in runs} <= set(ui_run_list(PORT))
        assert not (tmp_path / "warehouse" / "green_transport.duckdb.work").exists()
    finally:
        kill(process, signal.SIGTERM)
