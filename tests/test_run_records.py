"""Honest records: run-log and alert lines written whole even on a full disk, the failure's
work freed before it is recorded, and `greentrack status` answering in one line."""

from __future__ import annotations

import datetime as dt
import errno
import io
import json
import os
from pathlib import Path

import duckdb
import pytest

from pipelines import cli, runner
from pipelines.records import append_record, read_records

LINE = {"run_id": "r2", "status": "failed"}


def _fake_full_disk(monkeypatch, target: Path, *, after: int, short: bool, when=lambda: True):
    """os.write on `target` writes `after` bytes for real, then either returns short or
    raises ENOSPC (as a disk that fills mid-write would); other files are untouched."""
    real_write = os.write

    def write(fd, data):
        if when() and os.readlink(f"/proc/self/fd/{fd}") == str(target):
            written = real_write(fd, bytes(data)[:after]) if after else 0
            if short and written:
                return written
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)


def test_a_record_is_one_json_line(tmp_path):
    path = tmp_path / "runs.jsonl"
    append_record(path, {"run_id": "r1", "message": "文件 ok"})
    append_record(path, LINE)
    assert path.read_bytes().count(b"\n") == 2
    assert read_records(path) == ([{"message": "文件 ok", "run_id": "r1"}, LINE], [])


@pytest.mark.parametrize("short", [True, False], ids=["short_write", "enospc_mid_write"])
def test_a_full_disk_leaves_no_partial_line(tmp_path, monkeypatch, short):
    path = tmp_path / "runs.jsonl"
    append_record(path, {"run_id": "r1"})
    before = path.read_bytes()
    _fake_full_disk(monkeypatch, path, after=7, short=short)
    with pytest.raises(OSError) as raised:
        append_record(path, LINE)
    assert raised.value.errno == errno.ENOSPC
    assert path.read_bytes() == before  # cut back: not a byte of the new line remains


def test_a_record_after_a_cut_line_starts_on_its_own_line(tmp_path):
    path = tmp_path / "runs.jsonl"
    path.write_bytes(b'{"run_id": "r0"}\n{"run_id": "r1", "sta')  # an older crash
    append_record(path, LINE)
    records, damaged = read_records(path)
    assert records == [{"run_id": "r0"}, LINE]  # the new run is not hidden by the cut line
    assert damaged == [2]


def test_a_cut_multibyte_character_costs_only_its_line(tmp_path):
    path = tmp_path / "runs.jsonl"
    path.write_bytes('{"message": "文'.encode()[:-1] + b"\n" + b'{"run_id": "r1"}\n')
    assert read_records(path) == ([{"run_id": "r1"}], [1])


def _work_files(warehouse: Path) -> list[Path]:
    work = warehouse / "green_transport.duckdb.work"
    work.write_bytes(b"\0" * 4096)
    (warehouse / "green_transport.duckdb.work.wal").write_bytes(b"wal")
    (warehouse / "green_transport.duckdb.work.tmp").mkdir()
    (warehouse / ".spool").mkdir()
    (warehouse / ".spool" / "part.parquet").write_bytes(b"rows")
    return [work, *(warehouse / n for n in ("green_transport.duckdb.work.wal", ".spool"))]


def test_a_failure_frees_the_work_before_it_is_recorded(workspace, monkeypatch):
    """The disk is full for as long as the failed run's work is on it: the failure is
    recorded only if the work was removed first."""
    warehouse = workspace / "warehouse"
    warehouse.mkdir()
    work_files = _work_files(warehouse)
    for name in ("runs.jsonl", "alerts.log"):
        _fake_full_disk(
            monkeypatch, warehouse / name, after=0, short=False, when=work_files[0].exists
        )
    err = io.StringIO()
    record = {"run_id": "r9", "started_at": "2025-11-01 02:00:00", "published": False}
    code = runner._fail(record, ["asset raw__taxi_fleet failed: disk full"], err, work_files[0])
    assert code == 1
    assert not any(path.exists() for path in work_files)
    assert not (warehouse / "green_transport.duckdb.work.tmp").exists()
    (logged,), _ = read_records(warehouse / "runs.jsonl")
    assert (logged["run_id"], logged["status"]) == ("r9", "failed")
    (alert,), _ = read_records(warehouse / "alerts.log")
    assert alert["event"] == "greentrack_run_failed"
    assert "nothing was published" in err.getvalue()
    assert "could not record" not in err.getvalue()


def test_a_failure_that_cannot_be_recorded_is_still_on_stderr(workspace, monkeypatch):
    warehouse = workspace / "warehouse"
    warehouse.mkdir()
    (warehouse / "runs.jsonl").write_bytes(b'{"run_id": "r0"}\n')
    for name in ("runs.jsonl", "alerts.log"):
        _fake_full_disk(monkeypatch, warehouse / name, after=5, short=True)
    err = io.StringIO()
    record = {"run_id": "r9", "published": False}
    assert runner._fail(record, ["asset x failed: disk full"], err) == 1
    text = err.getvalue()
    assert "nothing was published" in text and "asset x failed: disk full" in text
    assert "could not record the failure in the run log" in text
    assert "could not record the failure in the alert" in text
    assert (warehouse / "runs.jsonl").read_bytes() == b'{"run_id": "r0"}\n'
    assert (warehouse / "alerts.log").read_bytes() == b""


# --- greentrack status never prints a traceback ---


def _status(workspace, capsys) -> tuple[int, str, str]:
    code = cli.main(["status", "--warehouse-dir", str(workspace / "warehouse")])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _warehouse(workspace) -> Path:
    (workspace / "warehouse").mkdir(exist_ok=True)
    return workspace / "warehouse" / "green_transport.duckdb"


def _minimal_warehouse(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema metrics; create schema audit")
        con.execute(
            "create table metrics.target_gap (indicator_id varchar, latest_period varchar, "
            "latest_value double, target_value double, gap_pp double, status varchar, "
            "projected_at_deadline double, units_to_close bigint, as_of date)"
        )
        con.execute(
            "insert into metrics.target_gap values ('bus_clean_share', '2025-10', 0.95, 0.92, "
            "-3.0, 'met', null, 0, '2025-10-31')"
        )
        con.execute(
            "create table audit.source_files (source varchar, file_name varchar, "
            "file_date date, status varchar, is_current boolean)"
        )


def _fresh_sources(path: Path) -> None:
    """Every configured source delivered today (status exits 5 on a stale one)."""
    from pipelines.status import LOCAL_TIME

    today = dt.datetime.now(LOCAL_TIME).date()
    with duckdb.connect(str(path)) as con:
        for source in ("registrations", "bus_fleet", "taxi_fleet", "gtfs", "surveys"):
            con.execute(
                "insert into audit.source_files values (?, ?, ?, 'accepted', true)",
                [source, f"{source}/f.csv", today],
            )


def test_status_of_a_sound_warehouse_exits_0(workspace, capsys):
    _minimal_warehouse(_warehouse(workspace))
    _fresh_sources(_warehouse(workspace))
    append_record(workspace / "warehouse" / "runs.jsonl", {"run_id": "r1", "status": "published"})
    code, out, err = _status(workspace, capsys)
    assert code == 0 and err == ""
    assert "bus_clean_share" in out and "r1" in out


@pytest.mark.parametrize(
    "damage, reason",
    [
        (lambda p: p.write_text("not a database\n"), "not a valid DuckDB database file"),
        (lambda p: p.write_bytes(b""), "not a valid DuckDB database file"),
        ("truncated", "Could not read enough bytes"),
        (lambda p: p.mkdir(), "cannot read the warehouse"),
        ("older_release", "has no audit.source_files (published by an older release"),
    ],
    ids=["not_duckdb", "empty_file", "truncated", "a_directory", "older_release"],
)
def test_status_of_a_warehouse_it_cannot_show_is_one_line_and_exit_1(
    workspace, capsys, damage, reason
):
    path = _warehouse(workspace)
    if damage == "truncated":
        _minimal_warehouse(path)
        path.write_bytes(path.read_bytes()[:5000])
    elif damage == "older_release":
        _minimal_warehouse(path)
        with duckdb.connect(str(path)) as con:
            con.execute("drop table audit.source_files")
    else:
        damage(path)
    code, out, err = _status(workspace, capsys)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("greentrack status: ")
    assert reason in err and str(path) in err


def test_status_of_an_unreadable_warehouse_is_one_line_and_exit_1(workspace, capsys, monkeypatch):
    """Root reads any file, so the refusal a service user would meet is simulated."""
    path = _warehouse(workspace)
    _minimal_warehouse(path)

    def refuse(*args, **kwargs):
        raise duckdb.IOException(f'Cannot open file "{path}": Permission denied')

    monkeypatch.setattr(duckdb, "connect", refuse)
    code, _, err = _status(workspace, capsys)
    assert code == 1 and "Permission denied" in err and err.count("\n") == 1


def test_status_with_a_damaged_run_log_shows_every_readable_run_and_exits_3(workspace, capsys):
    _minimal_warehouse(_warehouse(workspace))
    log = workspace / "warehouse" / "runs.jsonl"
    log.write_bytes(b'{"run_id": "r1"}\n\xff\xfe{"run_id": "r2", "sta\n[1, 2]\n')
    append_record(log, {"run_id": "r3", "status": "failed"})
    code, out, err = _status(workspace, capsys)
    assert code == 3
    assert "r1" in out and "r3" in out
    assert err.count("\n") == 1 and "2 damaged line(s) (2, 3)" in err


def test_status_with_an_unreadable_run_log_exits_3(workspace, capsys):
    _minimal_warehouse(_warehouse(workspace))
    (workspace / "warehouse" / "runs.jsonl").mkdir()
    code, out, err = _status(workspace, capsys)
    assert code == 3 and "Target gap" in out
    assert "cannot read the run log" in err and err.count("\n") == 1


def test_alert_line_is_json_with_the_event(workspace):
    from pipelines.alerts import send_failure_alert

    send_failure_alert({"run_id": "r1"})
    line = (workspace / "warehouse" / "alerts.log").read_text(encoding="utf-8")
    assert json.loads(line) == {"event": "greentrack_run_failed", "run_id": "r1"}


def test_the_records_reserve_is_kept_and_given_back(tmp_path):
    from pipelines.records import RESERVE_BYTES, RESERVE_NAME, keep_reserve, release_reserve

    keep_reserve(tmp_path)
    assert (tmp_path / RESERVE_NAME).stat().st_size == RESERVE_BYTES
    release_reserve(tmp_path)
    assert not (tmp_path / RESERVE_NAME).exists()
