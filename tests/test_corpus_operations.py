"""Careless operations, each through a whole `greentrack run` from a published warehouse and
dashboard: an empty or wrong data_raw, a full disk while the failure is recorded, a dashboard
that cannot be swapped, a changed pseudonym key.

Each case asserts the exit code, the message, and either that the published warehouse and
dashboard are byte-identical (nothing published) or what was published.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from assets.publish import atomic
from assets.publish.key_fingerprint import key_fingerprint
from pipelines import status
from pipelines.records import read_records
from tests.conftest import TEST_KEY
from tests.fixtures.bad_inputs import taicang_drop as drop
from tests.fixtures.bad_inputs.harness import WAREHOUSE, headline, sha256_file
from tests.fixtures.bad_inputs.run import greentrack_run
from tests.test_publication import tree

CUT_LINE = b'{"run_id": "cut-by-an-older-crash", "sta'


def _published_copy(root: Path, published_before: Path, monkeypatch) -> dict:
    """root/warehouse and root/site as the clean run published them; returns their state."""
    monkeypatch.setenv("GREENTRACK_PSEUDONYM_KEY", TEST_KEY)
    shutil.copytree(published_before, root / "warehouse")
    shutil.copytree(published_before.parent / "site", root / "site")
    (root / "data_raw").mkdir()
    return {"warehouse": sha256_file(root / "warehouse" / WAREHOUSE), "site": tree(root / "site")}


def _assert_untouched(root: Path, before: dict) -> None:
    assert sha256_file(root / "warehouse" / WAREHOUSE) == before["warehouse"]
    assert tree(root / "site") == before["site"]
    assert not (root / "warehouse" / "green_transport.duckdb.work").exists()  # space freed
    assert not (root / "site.work").exists()


def _disk_full_while(monkeypatch, targets: list[Path], full) -> None:
    """os.write on the record files fails with ENOSPC for as long as full() holds."""
    real_write = os.write
    names = {str(t) for t in targets}

    def write(fd, data):
        if full() and os.readlink(f"/proc/self/fd/{fd}") in names:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)


@pytest.mark.slow  # a whole pipeline run: make test-slow
def test_empty_data_raw_on_a_full_disk_publishes_nothing_and_records_the_failure(
    tmp_path, published_before, monkeypatch, capsys
):
    """Empty data_raw: exit 1, named; published files untouched. The disk is full while the
    run's work file exists: it is removed first, so the failure is recorded whole, after a
    line an older crash cut short, and `greentrack status` shows it."""
    before = _published_copy(tmp_path, published_before, monkeypatch)
    warehouse = tmp_path / "warehouse"
    with open(warehouse / "runs.jsonl", "ab") as log:
        log.write(CUT_LINE)
    log_before = (warehouse / "runs.jsonl").read_bytes()
    work = warehouse / "green_transport.duckdb.work"
    _disk_full_while(monkeypatch, [warehouse / "runs.jsonl", warehouse / "alerts.log"], work.exists)

    result = greentrack_run(tmp_path, monkeypatch)

    assert result.code == 1, result.out + result.err
    assert f"data_raw {tmp_path / 'data_raw'} holds no source file" in result.err
    assert "nothing was published" in result.err and "--allow-empty" in result.err
    assert "Traceback" not in result.err and "Stack Trace" not in result.err
    assert "could not record" not in result.err
    _assert_untouched(tmp_path, before)
    log = (warehouse / "runs.jsonl").read_bytes()
    assert log.startswith(log_before) and log.endswith(b"\n")
    records, damaged = read_records(warehouse / "runs.jsonl")
    log_file = warehouse / "logs" / f"{records[-1]['run_id']}.log"
    assert f"full log: {log_file}" in result.err
    assert "NothingToPublish" in log_file.read_text(encoding="utf-8")  # the trace is there
    assert records[-1]["status"] == "failed" and "no source file" in records[-1]["message"]
    assert len(damaged) == 1
    (alert,) = run_alerts(warehouse / "alerts.log")
    assert alert["event"] == "greentrack_run_failed" and alert["run_id"] == records[-1]["run_id"]
    assert status.print_status() == 3  # shown; the cut line is reported, not hiding the run
    assert records[-1]["run_id"] in capsys.readouterr().out


@pytest.mark.slow  # a whole run; publish_together is unit-tested in tests/test_publication.py
def test_a_dashboard_that_cannot_be_swapped_publishes_nothing(
    tmp_path, published_before, monkeypatch
):
    """The dashboards dir and its entries refuse to move (EBUSY): the warehouse is not
    swapped either, exit 1 says so."""
    before = _published_copy(tmp_path, published_before, monkeypatch)
    drop.write_drop(tmp_path / "data_raw")
    site, real_replace = tmp_path / "site", os.replace

    def replace(src, dst):
        if Path(src) == site or Path(src).parent == site:
            raise OSError(errno.EBUSY, "Device or resource busy", str(src))
        return real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    result = greentrack_run(tmp_path, monkeypatch)
    assert result.code == 1, result.out + result.err
    assert f"the dashboard could not be swapped into {site}" in result.err
    assert f"the warehouse {tmp_path / 'warehouse' / WAREHOUSE} was not replaced" in result.err
    assert "nothing was published" in result.err
    _assert_untouched(tmp_path, before)
    assert sorted(p.name for p in site.iterdir()) == sorted(before_names(before))


def run_alerts(path: Path) -> list[dict]:
    """The alerts of alerts.log but the daily stale-source ones (the demo drop is old, so
    every first publication of a day reports its sources stale)."""
    alerts, _ = read_records(path)
    return [a for a in alerts if a["event"] != "greentrack_sources_stale"]


def before_names(before: dict) -> set[str]:
    return {name.split("/")[0] for name in before["site"]}


@pytest.mark.slow  # a whole pipeline run: make test-slow
def test_a_changed_key_warns_loudly_and_is_recorded(tmp_path, published_before, monkeypatch):
    _published_copy(tmp_path, published_before, monkeypatch)
    drop.write_drop(tmp_path / "data_raw")
    monkeypatch.setenv("GREENTRACK_PSEUDONYM_KEY", "a-new-key-for-greentrack")
    old, new = key_fingerprint(TEST_KEY.encode()), key_fingerprint(b"a-new-key-for-greentrack")

    result = greentrack_run(tmp_path, monkeypatch)

    assert result.code == 0, result.out + result.err
    assert f"PSEUDONYM KEY CHANGED (fingerprint {old} -> {new})" in result.err
    assert "joins with earlier snapshots" in result.err
    warehouse = tmp_path / "warehouse"
    with duckdb.connect(str(warehouse / WAREHOUSE), read_only=True) as con:
        runs = con.execute(
            "select key_fingerprint, key_changed from audit.runs where published "
            "order by started_at"
        ).fetchall()
    assert runs == [(old, False), (new, True)]
    (alert,) = run_alerts(warehouse / "alerts.log")
    assert alert["event"] == "greentrack_pseudonym_key_changed"
    assert (alert["previous_key_fingerprint"], alert["key_fingerprint"]) == (old, new)
    last = read_records(warehouse / "runs.jsonl")[0][-1]
    assert (last["key_fingerprint"], last["key_changed"]) == (new, True)
    assert headline(warehouse) == headline(published_before)  # pseudonyms moved, not values
    assert TEST_KEY not in (warehouse / "runs.jsonl").read_text(encoding="utf-8")


@pytest.mark.slow
def test_data_raw_holding_only_unrelated_files_publishes_nothing(
    tmp_path, published_before, monkeypatch
):
    before = _published_copy(tmp_path, published_before, monkeypatch)
    raw = tmp_path / "data_raw"
    (raw / "README.md").write_text("the drop moved to /srv/drop\n")
    (raw / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 64)
    (raw / "misc").mkdir()
    (raw / "misc" / "notes.txt").write_text("nothing to see\n")
    result = greentrack_run(tmp_path, monkeypatch)
    assert result.code == 1, result.out + result.err
    assert f"data_raw {raw} holds no source file" in result.err
    _assert_untouched(tmp_path, before)


@pytest.mark.slow
def test_allow_empty_publishes_an_empty_warehouse_on_purpose(
    tmp_path, published_before, monkeypatch
):
    before = _published_copy(tmp_path, published_before, monkeypatch)
    result = greentrack_run(tmp_path, monkeypatch, "--allow-empty")
    assert result.code == 0, result.out + result.err
    assert sha256_file(tmp_path / "warehouse" / WAREHOUSE) != before["warehouse"]
    assert {row[4] for row in headline(tmp_path / "warehouse")} == {"no_data"}
    assert "KEY CHANGED" not in result.err  # same key, no warning


@pytest.mark.slow
def test_a_dashboard_dir_that_cannot_be_renamed_is_published_by_its_entries(
    tmp_path, published_before, monkeypatch
):
    """Like a mount point: the dir itself refuses rename (EBUSY), its entries are swapped,
    and both warehouse and dashboard are published."""
    before = _published_copy(tmp_path, published_before, monkeypatch)
    drop.write_drop(tmp_path / "data_raw")
    site, real_replace = tmp_path / "site", os.replace
    inode = site.stat().st_ino

    def replace(src, dst):
        if Path(src) == site:
            raise OSError(errno.EBUSY, "Device or resource busy", str(src))
        return real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    (site / "index.html").write_text("<p>the old page</p>")
    result = greentrack_run(tmp_path, monkeypatch)
    assert result.code == 0, result.out + result.err
    assert sha256_file(tmp_path / "warehouse" / WAREHOUSE) != before["warehouse"]
    assert site.stat().st_ino == inode
    assert "greentrack-specs" in (site / "index.html").read_text(encoding="utf-8")
    assert not any(p.name.startswith(".greentrack-") for p in site.iterdir())
    assert "KEY CHANGED" not in result.err  # same key, no warning
