"""The serve tests' clean-up reaches a process started outside the serve process group (as
Dagster starts its code servers), by the test's folder on its command line."""

from __future__ import annotations

import subprocess
import sys

from tests.serve_processes import kill_leftovers, leftovers


def _sleeper(*args: str) -> subprocess.Popen:
    """A process in a session of its own whose command line names the given arguments."""
    code = "import time; time.sleep(120)"
    return subprocess.Popen([sys.executable, "-c", code, *args], start_new_session=True)


def test_a_process_naming_the_test_folder_is_killed_and_another_is_not(tmp_path):
    ours = _sleeper("--instance-ref", f"base_dir: {tmp_path}/warehouse/.dagster")
    other = _sleeper(f"{tmp_path}0/warehouse")  # a sibling folder sharing the prefix
    try:
        assert ours.pid in leftovers(tmp_path) and other.pid not in leftovers(tmp_path)
        kill_leftovers(tmp_path)
        assert ours.wait(timeout=10) == -9
        assert other.poll() is None
    finally:
        for process in (ours, other):
            process.kill()
            process.wait()
