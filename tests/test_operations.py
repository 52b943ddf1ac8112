"""Issue F with real processes: readers during a run, SIGKILL, idempotency, alerts, locks."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import duckdb
import pytest

from pipelines import cli
from tests.fixtures.bad_inputs.run import run_argv
from tests.source_files import write_clean_sources

pytestmark = pytest.mark.slow  # whole runs: `make test-slow` (CI runs it)

GREENTRACK = [sys.executable, "-m", "pipelines.cli"]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _args(workspace: Path) -> list[str]:
    return run_argv(workspace)


@pytest.fixture
def published(workspace):
    """A workspace with clean sources and one successful publication."""
    write_clean_sources(workspace / "data_raw")
    assert cli.main(_args(workspace)) == 0
    return workspace / "warehouse" / "green_transport.duckdb"


def _count(path: Path, sql: str) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


READER = textwrap.dedent(
    """
    import sys, duckdb
    path = sys.argv[1]
    con = duckdb.connect(path, read_only=True)
    print(con.execute("select count(*) from audit.runs").fetchone()[0], flush=True)
    sys.stdin.readline()
    print(con.execute("select count(*) from audit.runs").fetchone()[0], flush=True)
    con.close()
    con = duckdb.connect(path, read_only=True)
    print(con.execute("select count(*) from audit.runs").fetchone()[0], flush=True)
    """
)


def test_a_reader_keeps_its_snapshot_during_a_run_and_sees_the_new_one_after(workspace, published):
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "1"
        assert cli.main(_args(workspace)) == 0  # no lock error while the reader holds the file
        reader.stdin.write("go\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "1"  # still the old snapshot
        assert reader.stdout.readline().strip() == "2"  # reconnected: the new publication
    finally:
        reader.kill()
        reader.wait()


@pytest.mark.parametrize("point", ["ingest", "sql", "publish"])
def test_sigkill_leaves_the_published_file_identical_and_the_next_run_recovers(
    workspace, published, point
):
    before = _sha(published)
    env = os.environ | {"GREENTRACK_FAULT_PAUSE": point}
    marker = workspace / "warehouse" / f".paused-{point}"
    process = subprocess.Popen(
        GREENTRACK + _args(workspace), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
    assert marker.exists(), f"run never reached the {point} pause point"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert _sha(published) == before
    assert (workspace / "warehouse" / "green_transport.duckdb.work").exists()
    assert cli.main(_args(workspace)) == 0
    assert not (workspace / "warehouse" / "green_transport.duckdb.work").exists()


def test_same_inputs_record_the_same_metric_hash(workspace, published):
    assert cli.main(_args(workspace)) == 0
    hashes = (
        duckdb.connect(str(published), read_only=True)
        .execute("select distinct metric_hash from audit.runs where published")
        .fetchall()
    )
    assert len(hashes) == 1 and hashes[0][0]


def test_a_redropped_identical_file_adds_no_rows(workspace, published):
    source = workspace / "data_raw" / "registrations" / "registrations_20251031.csv"
    shutil.copy(source, source.with_name("registrations_20251101.csv"))
    assert cli.main(_args(workspace)) == 0
    assert _count(published, "select count(*) from raw.registrations") == 20
    assert (
        _count(published, "select count(*) from audit.source_files where source = 'registrations'")
        == 1
    )


def test_a_corrected_file_is_a_new_version_and_the_old_one_stays(workspace, published):
    source = workspace / "data_raw" / "registrations" / "registrations_20251031.csv"
    source.write_bytes(
        source.read_bytes()
        + "苏E99999,02,,K33,A,A,2020-01-01,A,,个人,320585100\n".encode("gb18030")
    )
    assert cli.main(_args(workspace)) == 0
    versions = (
        duckdb.connect(str(published), read_only=True)
        .execute(
            "select rows_loaded, is_current from audit.source_files "
            "where file_name = 'registrations/registrations_20251031.csv' order by rows_loaded"
        )
        .fetchall()
    )
    assert versions == [(20, False), (21, True)]


class _Hook(http.server.BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - the http.server API
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_failed_run_writes_an_alert_line_and_posts_the_webhook(workspace, published, monkeypatch):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("GREENTRACK_ALERT_WEBHOOK", f"http://127.0.0.1:{server.server_port}/")
    before = _sha(published)
    (workspace / "warehouse" / "green_transport.duckdb.work").mkdir()  # cannot be cleaned up
    try:
        assert cli.main(_args(workspace)) == 1
    finally:
        server.shutdown()
    assert _sha(published) == before
    alert = json.loads((workspace / "warehouse" / "alerts.log").read_text().splitlines()[-1])
    assert alert["event"] == "greentrack_run_failed" and alert["status"] == "failed"
    assert _Hook.received and _Hook.received[-1]["event"] == "greentrack_run_failed"


def test_a_second_run_while_one_holds_the_lock_is_refused(workspace, published, capsys):
    import fcntl

    with open(workspace / "warehouse" / ".greentrack.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        assert cli.main(_args(workspace)) == 1
    assert "another greentrack run" in capsys.readouterr().err


def _can_mount_tmpfs(target: Path) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    target.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(target)], capture_output=True
    )
    return result.returncode == 0


def test_disk_full_gives_a_clear_message_and_exit_1(workspace, tmp_path):
    warehouse = tmp_path / "small_disk"
    if not _can_mount_tmpfs(warehouse):
        pytest.skip("needs root and tmpfs mounts to make a really full disk")
    try:
        write_clean_sources(workspace / "data_raw")
        args = [
            "run",
            "--data-raw",
            str(workspace / "data_raw"),
            "--warehouse-dir",
            str(warehouse),
            "--dashboards-dir",
            str(workspace / "site"),
        ]
        assert cli.main(args) == 0
        published = warehouse / "green_transport.duckdb"
        before = _sha(published)
        filler = warehouse / "filler"
        with open(filler, "wb") as handle:  # fill the disk to the last block
            try:
                while True:
                    handle.write(b"\0" * 65536)
            except OSError:
                pass
        result = subprocess.run(GREENTRACK + args, capture_output=True, text=True)
        assert result.returncode == 1
        assert "No space left on device" in result.stderr or "disk full" in result.stderr
        assert "Traceback" not in result.stderr
        assert _sha(published) == before
        # The work file and the records reserve went first: the failure is recorded whole.
        assert not (warehouse / "green_transport.duckdb.work").exists()
        runs = (warehouse / "runs.jsonl").read_bytes()
        assert runs.endswith(b"\n")
        last = json.loads(runs.splitlines()[-1])
        assert last["status"] == "failed" and last["exit_code"] == 1
        alert = json.loads((warehouse / "alerts.log").read_bytes().splitlines()[-1])
        assert alert["run_id"] == last["run_id"]
    finally:
        subprocess.run(["umount", str(warehouse)], capture_output=True)


UNPRIVILEGED = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.mark.parametrize("unreadable", ["warehouse", "data_raw"])
def test_a_permission_error_gives_a_clear_message_and_exit_1(unreadable):
    """As an unprivileged user (root ignores permissions): a warehouse dir it cannot write, or a
    data_raw it cannot read, is named in one line and exits 1, with no traceback."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run as an unprivileged user")
    checkout = Path(__file__).resolve().parents[1]
    probe = subprocess.run(
        [*UNPRIVILEGED, sys.executable, "-c", "import pipelines"],
        capture_output=True,
        cwd=str(checkout),
        env=os.environ | {"HOME": "/tmp"},
    )
    if probe.returncode != 0:
        pytest.skip(
            f"the unprivileged user cannot read this checkout ({checkout} or a parent "
            "directory is closed to it, e.g. under `mktemp -d`); clone it somewhere "
            "world-readable to run this test"
        )
    root = Path(tempfile.mkdtemp(prefix="greentrack-perm-"))
    try:
        os.chmod(root, 0o755)
        write_clean_sources(root / "data_raw")
        (root / "warehouse").mkdir()
        for path in [root / "data_raw", *(root / "data_raw").rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        os.chmod(root / "warehouse", 0o777)
        os.chmod(root / unreadable, 0o700)  # owned by root: closed to the run's user
        # the run keeps its Dagster instance in the warehouse folder (the tests' session
        # instance belongs to root)
        env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"} | {"HOME": "/tmp"}
        result = subprocess.run(
            [*UNPRIVILEGED, *GREENTRACK, *_args(root)],
            capture_output=True,
            text=True,
            env=env,
            cwd=str(checkout),
        )
        assert result.returncode == 1, result.stderr[-2000:]
        assert "Traceback" not in result.stderr
        assert str(root / unreadable) in result.stderr
    finally:
        shutil.rmtree(root)


class _EndedProcess:
    """Stands in for a Dagster process that has already exited with 0."""

    started: list[list[str]] = []

    def __init__(self, command, **_options):
        self.args, self.returncode = command, 0
        _EndedProcess.started.append(command)

    def poll(self):
        return 0

    def wait(self, timeout=None):
        return 0

    def send_signal(self, signum):
        pass

    terminate = kill = lambda self: None


@pytest.mark.parametrize("command", ["ui", "serve"])
def test_ui_and_serve_bind_to_localhost_by_default(command, monkeypatch, tmp_path):
    from pipelines import serve

    _EndedProcess.started = []
    monkeypatch.setattr(serve.subprocess, "Popen", _EndedProcess)
    monkeypatch.setattr(serve.signal, "signal", lambda *_: None)  # keep pytest's handlers
    monkeypatch.setenv("GREENTRACK_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    cli.main([command])
    hosts = [c[c.index("-h") + 1] for c in _EndedProcess.started if "-h" in c]
    assert hosts == ["127.0.0.1"]


def test_the_command_exits_with_its_code_after_exit_handlers_threads_and_output():
    """exit_now skips the interpreter's teardown, not what a normal exit does for the user:
    exit handlers run, a non-daemon thread finishes, buffered output is written."""
    script = textwrap.dedent(
        """
        import atexit, sys, threading, time
        from pipelines import cli
        atexit.register(lambda: print("exit handler ran"))
        threading.Thread(target=lambda: (time.sleep(0.2), print("thread finished"))).start()
        sys.stdout.write("buffered line, no newline")
        cli.exit_now(3)
        """
    )
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=buffered
    )
    assert done.returncode == 3
    assert done.stdout == "buffered line, no newlinethread finished\nexit handler ran\n"
