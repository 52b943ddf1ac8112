"""`greentrack run` at scale 1, as cron runs it: a real process, one progress line per asset
step plus the summary (at most 40 lines, none of them a page wide), recorded on the persistent
instance tagged cli."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from pipelines.instance import TRIGGER_TAG

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
PROGRESS = re.compile(r"^\[(\d+)/(\d+)\] [\w.]+ \d+\.\d s(, [\d,]+ rows)?$")


def test_a_scale_1_run_prints_a_line_per_step_and_a_short_summary_and_shows_in_the_instance(
    tmp_path,
):
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env.update(PATH="/usr/bin:/bin", GREENTRACK_PSEUDONYM_KEY="cli-output-key")
    python = [sys.executable, "-m", "pipelines.cli"]
    subprocess.run(
        [*python, "generate", "--out", str(tmp_path / "data_raw"), "--scale", "1"],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
    )
    run = subprocess.run(
        [
            *python,
            "run",
            "--data-raw",
            str(tmp_path / "data_raw"),
            "--warehouse-dir",
            str(tmp_path / "warehouse"),
            "--dashboards-dir",
            str(tmp_path / "site"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert run.returncode in (0, 3), run.stderr
    lines = run.stdout.splitlines() + run.stderr.splitlines()
    progress = [m for m in map(PROGRESS.match, run.stdout.splitlines()) if m]
    # the step count grows with the models; the rest (start line, summary, warnings) must not
    assert len(lines) - len(progress) <= 40, "\n".join(lines)
    assert max(map(len, lines)) <= 300, max(lines, key=len)
    counts = [int(m.group(1)) for m in progress]
    assert counts == sorted(counts) and len(progress) >= 20  # one per asset step, in order
    totals = {int(m.group(2)) for m in progress}
    assert totals == {counts[-1]}  # every step counted; publication is the last
    assert progress[-1].group(0).startswith(f"[{counts[-1]}/{counts[-1]}] published.")
    with dg.DagsterInstance.from_config(str(tmp_path / "warehouse" / ".dagster")) as instance:
        runs = instance.get_runs()
    assert [r.tags.get(TRIGGER_TAG) for r in runs] == ["cli"]
    assert runs[0].status == dg.DagsterRunStatus.SUCCESS
