"""A throwaway PostgreSQL server for the real-process tests of PostgreSQL instance storage:
Debian's server binaries, a fresh cluster under /tmp, one database, gone after the test.
A test that needs one requests the `postgres_url` fixture (tests/conftest.py); it skips,
saying why, only when the machine has no PostgreSQL server binaries."""

from __future__ import annotations

import contextlib
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

import psycopg2
import pytest

PG_PORT = 55432  # only names the Unix socket: the server listens on no TCP address
SERVER_USER = "nobody"  # PostgreSQL refuses to run as root
DB = "greentrack_dagster"


def server_binaries() -> Path:
    """The newest installed server's bin directory; skips the test when there is none."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if not found:
        pytest.skip(
            "no PostgreSQL server: /usr/lib/postgresql/*/bin/postgres is absent; "
            "`make system-deps` installs Debian's postgresql package (as root)"
        )
    return Path(found[-1]).parent


@contextlib.contextmanager
def throwaway_server() -> Iterator[str]:
    """A server in a fresh cluster under /tmp (a short path: a Unix socket's name has ~100
    characters at most), run as an unprivileged user when the test runs as root; yields the
    SQLAlchemy URL of its database, the form GREENTRACK_DAGSTER_POSTGRES_URL takes."""
    bin_dir = server_binaries()
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


def runs_in_postgres(url: str) -> set[str]:
    """The run ids in the database's own run table: proof the runs were stored there."""
    libpq_url = url.replace("postgresql+psycopg2://", "postgresql://")
    with psycopg2.connect(libpq_url) as con, con.cursor() as cursor:
        cursor.execute("select run_id from runs")
        return {row[0] for row in cursor.fetchall()}
