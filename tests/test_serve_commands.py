"""`greentrack serve` and `ui` start Dagster through this interpreter, never through PATH, on
loopback unless told otherwise, with DAGSTER_HOME set to the project's instance home."""

from __future__ import annotations

import sys

from pipelines import serve
from pipelines.cli import _parser


def test_every_process_is_started_by_this_python():
    for command in (
        serve.webserver_command("127.0.0.1", "3000"),
        serve.daemon_command(),
        serve.dev_command("127.0.0.1", "3000"),
    ):
        assert command[:2] == [sys.executable, "-m"]
    assert serve.webserver_command("0.0.0.0", "8080")[2] == "dagster_webserver"
    assert serve.daemon_command()[2:4] == ["dagster._daemon", "run"]
    assert serve.dev_command("h", "1")[2:4] == ["dagster", "dev"]


def test_serve_binds_loopback_by_default():
    args = _parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", "3000")
    assert _parser().parse_args(["ui", "--port", "4000"]).port == "4000"


def test_the_processes_get_the_instance_home(workspace, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME")
    env = serve.process_env()
    home = workspace / "warehouse" / ".dagster"
    assert env["DAGSTER_HOME"] == str(home) and (home / "dagster.yaml").is_file()
