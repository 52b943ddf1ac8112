"""`greentrack ui` from a fresh clone, without the virtualenv on PATH: `dagster dev` is started
through this interpreter, its webserver answers on loopback, and a SIGTERM to greentrack alone
(what `kill` or a process manager sends) stops every Dagster process it started."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

pytestmark = pytest.mark.slow
PORT = "3934"
BARE_PATH = "/usr/bin:/bin"


def _answers() -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/server_info", timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_ui_answers_without_the_venv_on_path_and_stops_whole(tmp_path):
    assert shutil.which("dagster", path=BARE_PATH) is None  # nothing to find on PATH
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "VIRTUAL_ENV")}
    env.update(
        PATH=BARE_PATH,
        GREENTRACK_DATA_RAW=str(tmp_path / "data_raw"),
        GREENTRACK_WAREHOUSE_DIR=str(tmp_path / "warehouse"),
        GREENTRACK_DASHBOARDS_DIR=str(tmp_path / "site"),
        GREENTRACK_PSEUDONYM_KEY="ui-test-key",
    )
    log = tmp_path / "ui.log"
    ui = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "ui", "--port", PORT],
        cwd=tmp_path,
        env=env,
        stdout=open(log, "ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group: the test can see every process it started
    )
    try:
        deadline = time.monotonic() + 180
        while not _answers():
            assert ui.poll() is None, f"greentrack ui exited:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"no answer:\n{log.read_text()[-3000:]}"
            time.sleep(1)
        assert (tmp_path / "warehouse" / ".dagster" / "dagster.yaml").is_file()

        ui.send_signal(signal.SIGTERM)  # to greentrack only, not to its group
        assert ui.wait(timeout=90) == 0, log.read_text()[-3000:]
        deadline = time.monotonic() + 30
        while _group_alive(ui.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not _group_alive(ui.pid), "a Dagster process outlived greentrack ui"
        assert not _answers()
    finally:
        if _group_alive(ui.pid):
            os.killpg(ui.pid, signal.SIGKILL)
