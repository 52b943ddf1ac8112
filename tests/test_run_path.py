"""One run path: the guarantees of a run live in the definitions (the warehouse resource, the
run-status sensors, the persistent instance), so every trigger gets them."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from pipelines import instance, run_lock
from pipelines.definitions import defs
from pipelines.resources import warehouse_resource
from pipelines.run_accounting import dagster_run_record


def test_the_lock_refuses_a_second_process_and_reenters_in_this_one(tmp_path):
    import subprocess
    import sys

    with run_lock.run_lock(tmp_path):
        with run_lock.run_lock(tmp_path):  # the resource inside `greentrack run`
            pass
        probe = (
            "import sys; from pipelines import run_lock\n"
            "try:\n    run_lock.acquire(sys.argv[1])\nexcept run_lock.RunLocked as e:\n"
            "    print(e); sys.exit(7)\n"
        )
        held = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True)
        assert held.returncode == 7, held.stderr
        assert b"another greentrack run holds" in held.stdout
    free = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True)
    assert free.returncode == 0, free.stdout


def _probe_asset(seen: list):
    @dg.asset(required_resource_keys={"duckdb"})
    def probe():
        path = run_lock.lock_path(instance.project.warehouse_dir()).resolve()
        seen.append(path in run_lock._held)

    return probe


def test_the_warehouse_resource_holds_the_lock_and_clears_stale_work(workspace):
    from pipelines import project

    work = project.work_warehouse_path()
    work.parent.mkdir(parents=True)
    duckdb.connect(str(work)).close()
    (work.parent / (work.name + ".wal")).write_text("left by a killed run")
    seen: list[bool] = []
    result = dg.materialize([_probe_asset(seen)], resources={"duckdb": warehouse_resource()})
    assert result.success
    assert seen == [True]  # held while the step ran
    assert not work.exists() and not (work.parent / (work.name + ".wal")).exists()
    assert run_lock._held == {}  # released after the run


def test_the_default_home_is_inside_the_warehouse_and_keeps_an_operators_file(
    workspace, monkeypatch
):
    monkeypatch.delenv("DAGSTER_HOME")
    home = instance.ensure_home()
    assert home == workspace / "warehouse" / ".dagster"
    config = (home / "dagster.yaml").read_text()
    assert "max_concurrent_runs: 1" in config and "QueuedRunCoordinator" in config
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    instance.ensure_home()
    assert (home / "dagster.yaml").read_text() == "telemetry:\n  enabled: false\n"
    monkeypatch.setenv("DAGSTER_HOME", str(workspace / "elsewhere"))
    assert instance.dagster_home() == workspace / "elsewhere"


def test_every_trigger_tags_its_runs():
    assert defs.resolve_job_def("nightly_refresh").tags == {instance.TRIGGER_TAG: "ui"}
    schedule = defs.resolve_schedule_def("nightly_0200_asia_shanghai")
    assert schedule.tags == {instance.TRIGGER_TAG: "schedule"}
    sensors = {sensor.name for sensor in defs.sensors}
    assert {"data_raw_changed", "record_finished_run", "alert_on_run_failure"} <= sensors


@pytest.mark.parametrize("failure", [None, "step raw_registrations failed"])
def test_a_dagster_run_record_says_what_happened(workspace, failure):
    @dg.op
    def noop():
        pass

    @dg.job
    def job():
        noop()

    inst = dg.DagsterInstance.ephemeral()
    tags = {instance.TRIGGER_TAG: "sensor"}
    run = job.execute_in_process(instance=inst, tags=tags).dagster_run
    record = dagster_run_record(inst, run, failure)
    assert record["run_id"] == run.run_id and record["trigger"] == "sensor"
    assert record["started_at"] <= record["ended_at"]
    if failure:
        assert (record["status"], record["exit_code"], record["message"]) == ("failed", 1, failure)
    else:  # nothing published by this run: no audit.runs row carries its id
        assert (record["status"], record["exit_code"], record["published"]) == (
            "not_published",
            None,
            False,
        )
