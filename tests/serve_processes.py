"""Helpers of the real-process tests of `greentrack serve`: start and kill the serve processes,
launch a job through the run queue, and read what a run left behind (runs.jsonl, the
instance's runs, the UI's run list). The instance's storage is whatever the environment
configures, so the same helpers serve the SQLite and the PostgreSQL tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dagster as dg

from pipelines.instance import TRIGGER_TAG

REPO = Path(__file__).resolve().parents[1]
PORT = "3931"
RUN_TIMEOUT = 600


def generate(out: Path, scale: str = "0.02") -> None:
    """Demo sources of every kind at a small scale, from `greentrack generate`."""
    subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "generate", "--out", str(out), "--scale", scale],
        cwd=REPO,
        check=True,
        capture_output=True,
    )


def serve(root: Path, log: Path, port: str = PORT, **extra_env: str) -> subprocess.Popen:
    """`greentrack serve` on `port` over the folders of `root`, with the venv off PATH; the
    process group is the test's to kill. `extra_env` adds variables (a schedule's cron)."""
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env.update(
        PATH="/usr/bin:/bin",  # no venv on PATH: serve must find Dagster through sys.executable
        GREENTRACK_DATA_RAW=str(root / "data_raw"),
        GREENTRACK_WAREHOUSE_DIR=str(root / "warehouse"),
        GREENTRACK_DASHBOARDS_DIR=str(root / "site"),
        GREENTRACK_PSEUDONYM_KEY="serve-test-key",
        GREENTRACK_SENSOR_INTERVAL_SECONDS="2",
        **extra_env,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "serve", "--port", port],
        cwd=root,
        env=env,
        stdout=open(log, "ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # one process group: the test can SIGKILL all of it
    )


def wait(what: str, condition, timeout: float, log: Path, every: float = 2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(
        f"timed out waiting for {what}; serve log tail:\n{log.read_text()[-3000:]}"
    )


def published_runs(root: Path) -> list[dict]:
    path = root / "warehouse" / "runs.jsonl"
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [r for r in lines if r.get("status") == "published"]


def ui_answers(port: str = PORT) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


def ui_run_list(port: str) -> dict[str, str]:
    """The UI's run list, as its GraphQL endpoint gives it: run id -> status."""
    query = "{ runsOrError { ... on Runs { results { runId status } } } }"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        runs = json.load(reply)["data"]["runsOrError"]["results"]
    return {run["runId"]: run["status"] for run in runs}


def sensor_runs(home: Path) -> list[dg.DagsterRun]:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return [run for run in instance.get_runs() if run.tags.get(TRIGGER_TAG) == "sensor"]


def kill(process: subprocess.Popen, signum=signal.SIGKILL, root: Path | None = None) -> None:
    """Kill the serve process group; with `root`, also what it started outside the group."""
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass
    process.wait(timeout=60)
    if root is not None:
        kill_leftovers(root)


def leftovers(root: Path) -> list[int]:
    """Processes other than this one whose command line names a path under `root`. Dagster
    starts its code servers (`dagster api grpc`) in a session of their own, so killing the
    serve process group misses them; one on PostgreSQL storage outlived its test by minutes."""
    marker = f"{root}/".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def kill_leftovers(root: Path) -> None:
    for pid in leftovers(root):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def launch(root: Path) -> None:
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
