"""The schedule under `greentrack serve`, with real webserver and daemon processes: a tick
that is due now (GREENTRACK_SCHEDULE_CRON="* * * * *") publishes, and a file dropped while
that run writes starts a sensor run that waits in the queue. Both runs are accounted for in
Dagster's run list (the UI's GraphQL), runs.jsonl and audit.runs; their windows never overlap;
the published warehouse opens whole. The same on SQLite instance storage and on PostgreSQL
storage against a throwaway server (tests/postgres_server.py)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import urllib.request
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.instance import POSTGRES_URL_ENV, TRIGGER_TAG
from tests.postgres_server import runs_in_postgres
from tests.serve_processes import generate, kill_leftovers, serve, wait

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
# one port per storage: `make test-slow` may run both at once (-n 2)
PORTS = {"sqlite": "3933", "postgres": "3936"}
RUN_TIMEOUT = 600
RUN_LIST_QUERY = (
    "{ runsOrError { __typename ... on Runs { results { runId status tags { key value } } } } }"
)


def _serve_every_minute(root: Path, log: Path, port: str) -> subprocess.Popen:
    return serve(root, log, port, GREENTRACK_SCHEDULE_CRON="* * * * *")


def _first_run_started_by(trigger: str, home: Path, log: Path):
    """The first Dagster run whose trigger tag is `trigger` (schedule or sensor)."""
    return wait(
        f"the {trigger}'s first run",
        lambda: [r for r in _dagster_runs(home) if r.tags.get(TRIGGER_TAG) == trigger],
        120,
        log,
        every=1,
    )[0]


def _runs_jsonl(root: Path) -> list[dict]:
    path = root / "warehouse" / "runs.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _dagster_runs(home: Path) -> list[dg.DagsterRun]:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return list(instance.get_runs())


def _run_windows(home: Path) -> dict[str, tuple[float | None, float | None, float | None]]:
    """run id -> (enqueued, started, ended) as Dagster's event log has them."""
    windows = {}
    with dg.DagsterInstance.from_config(str(home)) as instance:
        for run in instance.get_runs():
            stats = instance.get_run_stats(run.run_id)
            windows[run.run_id] = (stats.enqueued_time, stats.start_time, stats.end_time)
    return windows


def _ui_run_list(port: str) -> list[dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": RUN_LIST_QUERY}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        answer = json.load(reply)["data"]["runsOrError"]
    assert answer["__typename"] == "Runs", answer
    return answer["results"]


def _drop_bus_fleet_file(data_raw: Path, scratch: Path) -> None:
    """A new bus_fleet file, whole when it appears (copied aside, then renamed in)."""
    newest = sorted((data_raw / "bus_fleet").iterdir())[-1]
    aside = scratch / ("bus_fleet_20251130" + newest.suffix)
    shutil.copy(newest, aside)
    os.replace(aside, data_raw / "bus_fleet" / aside.name)


@pytest.fixture(params=["sqlite", "postgres"])
def storage(request, monkeypatch) -> str:
    """The instance storage, set in this process's environment: the serve processes inherit
    it, and the test's own reads of the instance (its dagster.yaml names the variable) need it.
    "postgres" starts a throwaway server, or skips saying why when none can run here."""
    if request.param == "postgres":
        monkeypatch.setenv(POSTGRES_URL_ENV, request.getfixturevalue("postgres_url"))
    else:
        monkeypatch.delenv(POSTGRES_URL_ENV, raising=False)
    return request.param


def test_a_schedule_tick_and_a_sensor_run_together_take_turns(tmp_path, storage):
    port = PORTS[storage]
    generate(tmp_path / "data_raw")
    log = tmp_path / "serve.log"
    home = tmp_path / "warehouse" / ".dagster"
    serve = _serve_every_minute(tmp_path, log, port)
    try:
        wait(
            "the sensor's first look", lambda: "first look at data_raw" in log.read_text(), 240, log
        )
        scheduled = _first_run_started_by("schedule", home, log)
        _drop_bus_fleet_file(tmp_path / "data_raw", tmp_path)  # lands while the tick's run runs
        sensed = _first_run_started_by("sensor", home, log)

        def both_recorded():
            ids = {r["run_id"] for r in _runs_jsonl(tmp_path)}
            return {scheduled.run_id, sensed.run_id} <= ids

        wait("both runs in runs.jsonl", both_recorded, 2 * RUN_TIMEOUT, log)
        ui_runs = {run["runId"]: run for run in _ui_run_list(port)}
    finally:
        os.killpg(serve.pid, signal.SIGTERM)  # later ticks' runs are cut short: that is fine
        serve.wait(timeout=120)
        kill_leftovers(tmp_path)

    # the instance's storage is the one asked for: SQLite's run storage lives in the home's
    # history/, and on PostgreSQL the runs are rows of the server's own run table
    config = (home / "dagster.yaml").read_text()
    assert (POSTGRES_URL_ENV in config) == (storage == "postgres")
    assert (home / "history").exists() == (storage == "sqlite")
    if storage == "postgres":
        assert {scheduled.run_id, sensed.run_id} <= runs_in_postgres(os.environ[POSTGRES_URL_ENV])

    # the UI lists both, each with its trigger
    for run, trigger in ((scheduled, "schedule"), (sensed, "sensor")):
        listed = ui_runs[run.run_id]
        assert listed["status"] == "SUCCESS"
        assert {"key": TRIGGER_TAG, "value": trigger} in listed["tags"]

    # both published: in runs.jsonl and in audit.runs of a warehouse that opens whole
    lines = {r["run_id"]: r for r in _runs_jsonl(tmp_path)}
    for run, trigger in ((scheduled, "schedule"), (sensed, "sensor")):
        line = lines[run.run_id]
        assert (line["trigger"], line["status"]) == (trigger, "published")
        assert line["exit_code"] in (0, 3)
    warehouse = tmp_path / "warehouse" / "green_transport.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        audit = [r[0] for r in con.execute("select run_id from audit.runs").fetchall()]
        registrations = con.execute("select count(*) from raw.registrations").fetchone()[0]
    assert registrations > 0
    assert len(audit) == len(set(audit))  # one row per publication
    published = {i for i, r in lines.items() if r.get("status") == "published"}
    assert {scheduled.run_id, sensed.run_id} <= published <= set(audit)
    # a run cut short by the stop may have published without its runs.jsonl line, never more
    assert len(set(audit) - published) <= 1

    # one writer at a time: the sensor's run was queued while the tick's run wrote, and
    # started after it ended; no two runs' windows overlap at all
    windows = _run_windows(home)
    tick_enqueued, tick_started, tick_ended = windows[scheduled.run_id]
    sensor_enqueued, sensor_started, _ = windows[sensed.run_id]
    assert sensor_enqueued < tick_ended
    assert sensor_started >= tick_ended
    started = sorted((w[1], w[2]) for w in windows.values() if w[1] is not None)
    for (_, ended), (next_started, _) in zip(started, started[1:], strict=False):
        assert ended is not None and ended <= next_started
    # runs.jsonl agrees; a run the stop cut short may lack a time, and then published nothing
    cut_short = [r for r in lines.values() if not (r["started_at"] and r["ended_at"])]
    assert not any(r.get("published") for r in cut_short)
    spans = sorted((r["started_at"], r["ended_at"]) for r in lines.values() if r not in cut_short)
    for (_, ended), (next_started, _) in zip(spans, spans[1:], strict=False):
        assert ended <= next_started
