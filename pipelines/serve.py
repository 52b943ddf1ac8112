"""`greentrack serve` and `greentrack ui`: the Dagster processes, on the persistent instance.

`serve` is the production pair, `dagster-webserver` (the UI) and `dagster-daemon` (schedule,
sensors, run queue, run-status sensors), each started as `<this python> -m ...` so that they
work without the virtualenv on PATH. `ui` is Dagster's development server (`dagster dev`),
for development only. Both bind 127.0.0.1 unless told otherwise and use the instance home of
pipelines/instance.py, so run history and sensor cursors survive a restart.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from pipelines import project
from pipelines.instance import HOME_ENV, open_instance

CODE_LOCATION = ["-m", "pipelines.definitions", "-d", str(project.REPO_ROOT)]
POLL_SECONDS = 0.5


def webserver_command(host: str, port: str) -> list[str]:
    return [sys.executable, "-m", "dagster_webserver", *CODE_LOCATION, "-h", host, "-p", port]


def daemon_command() -> list[str]:
    return [sys.executable, "-m", "dagster._daemon", "run", *CODE_LOCATION]


def dev_command(host: str, port: str) -> list[str]:
    return [sys.executable, "-m", "dagster", "dev", *CODE_LOCATION, "-h", host, "-p", port]


def process_env() -> dict[str, str]:
    """This environment, with DAGSTER_HOME set to the instance home. The instance's storage is
    created here, before the processes start: a webserver and a daemon that both find no
    SQLite schema race to create it, and the loser dies on "table already exists"."""
    instance = open_instance()
    return {**os.environ, HOME_ENV: instance.root_directory}


def run_ui(host: str, port: str) -> int:
    """`dagster dev` in the foreground until it ends. A SIGTERM to greentrack (`kill`, a
    process manager) is passed on, and greentrack waits while `dagster dev` shuts its webserver
    and daemon down, so none is left behind. Ctrl-C reaches `dagster dev` from the terminal
    itself; greentrack then only waits (a second SIGINT would cut that shutdown short)."""
    process = subprocess.Popen(dev_command(host, port), env=process_env(), cwd=project.REPO_ROOT)
    signal.signal(signal.SIGTERM, lambda signum, _frame: process.send_signal(signum))
    signal.signal(signal.SIGINT, lambda _signum, _frame: None)
    return process.wait()


def serve(host: str, port: str) -> int:
    """Start the webserver and the daemon; stop both when either ends or on SIGTERM/SIGINT
    (what systemd sends), and return the exit code of the one that ended first."""
    env = process_env()
    print(f"greentrack serve: UI on http://{host}:{port}, instance {env[HOME_ENV]}", flush=True)
    processes = [
        subprocess.Popen(command, env=env, cwd=project.REPO_ROOT)
        for command in (webserver_command(host, port), daemon_command())
    ]
    stopping = []

    def stop(signum, _frame):
        stopping.append(signum)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    code = 0
    while not stopping:
        ended = [p for p in processes if p.poll() is not None]
        if ended:
            code = ended[0].returncode or 1
            print(f"greentrack serve: {ended[0].args[2]} exited ({code}); stopping", flush=True)
            break
        time.sleep(POLL_SECONDS)
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    return code
