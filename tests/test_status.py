"""`greentrack status` for monitoring: JSON, China time, and the exit codes 4 (last run
failed) and 5 (a source stale), on a hand-made warehouse at a fixed moment."""

from __future__ import annotations

import datetime as dt
import io
import json

import duckdb
import pytest

from pipelines import cli
from pipelines.records import append_record
from pipelines.status import print_status

# 02:00 on 16 Nov 2025 in China is 18:00 on 15 Nov in UTC
NOW = dt.datetime(2025, 11, 15, 18, 0, 5, 123456, tzinfo=dt.UTC)
DELIVERED = {  # source → newest accepted file date; max ages 45, 45, 45, 120, 2190 days
    "registrations": dt.date(2025, 10, 31),  # 16 days old
    "bus_fleet": dt.date(2025, 10, 31),
    "taxi_fleet": dt.date(2025, 10, 31),
    "gtfs": dt.date(2025, 9, 30),  # 47 days
    "surveys": dt.date(2024, 12, 31),  # 320 days
}


def build(warehouse_dir, delivered: dict) -> None:
    warehouse_dir.mkdir(exist_ok=True)
    with duckdb.connect(str(warehouse_dir / "green_transport.duckdb")) as con:
        con.execute("create schema metrics; create schema audit")
        con.execute(
            "create table metrics.target_gap as select 'bus_clean_share' as indicator_id, "
            "'2025-10' as latest_period, 0.90 as latest_value, 0.92 as target_value, "
            "2.0 as gap_pp, 'off_track' as status, 12::bigint as units_to_close, "
            "date '2025-10-31' as as_of"
        )
        con.execute(
            "create table audit.source_files (source varchar, file_name varchar, "
            "file_date date, status varchar, is_current boolean)"
        )
        for source, day in delivered.items():
            con.execute(
                "insert into audit.source_files values (?, ?, ?, 'accepted', true)",
                [source, f"{source}/x.csv", day],
            )


def status(workspace, as_json: bool) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = print_status(out, err, as_json=as_json, now=NOW)
    return code, out.getvalue(), err.getvalue()


def log_run(workspace, run_id: str, state: str) -> None:
    append_record(
        workspace / "warehouse" / "runs.jsonl",
        {"run_id": run_id, "status": state, "exit_code": 0 if state == "published" else 1,
         "started_at": "2025-11-15 18:00:00.250000", "ended_at": "2025-11-15 18:00:31.9"},
    )  # fmt: skip


def test_json_of_a_sound_warehouse_exits_0_with_china_time(workspace):
    build(workspace / "warehouse", DELIVERED)
    log_run(workspace, "r1", "published")
    code, out, err = status(workspace, as_json=True)
    document = json.loads(out)
    assert code == 0 == document["exit_code"] and err == ""
    assert document["checked_at"] == "2025-11-16T02:00:05+08:00"
    assert document["last_runs"][0]["started_at"] == "2025-11-16T02:00:00+08:00"
    assert document["last_run_failed"] is False and document["stale_sources"] == []
    sources = {row["source"]: row for row in document["sources"]}
    assert sources["gtfs"]["age_days"] == 47 and sources["gtfs"]["stale"] is False
    assert sources["bus_fleet"]["newest_file_date"] == "2025-10-31"
    assert document["target_gap"][0]["status"] == "off_track"
    assert document["target_gap"][0]["latest_value"] == 0.90


def test_a_failed_last_run_exits_4(workspace):
    build(workspace / "warehouse", DELIVERED)
    log_run(workspace, "r1", "published")
    log_run(workspace, "r2", "failed")
    code, out, _ = status(workspace, as_json=True)
    assert code == 4 and json.loads(out)["last_run_failed"] is True


def test_a_stale_source_exits_5_and_is_named(workspace):
    build(workspace / "warehouse", {**DELIVERED, "taxi_fleet": dt.date(2025, 9, 30)})  # 47 > 45
    log_run(workspace, "r1", "published")
    code, out, _ = status(workspace, as_json=True)
    assert code == 5 and json.loads(out)["stale_sources"] == ["taxi_fleet"]


def test_a_source_never_delivered_is_stale(workspace):
    build(workspace / "warehouse", {k: v for k, v in DELIVERED.items() if k != "gtfs"})
    code, out, _ = status(workspace, as_json=True)
    assert code == 5 and json.loads(out)["stale_sources"] == ["gtfs"]


def test_a_failed_run_outranks_a_stale_source(workspace):
    build(workspace / "warehouse", {k: v for k, v in DELIVERED.items() if k != "gtfs"})
    log_run(workspace, "r2", "failed")
    assert status(workspace, as_json=False)[0] == 4


def test_text_is_chinese_with_english_and_words_not_codes(workspace):
    build(workspace / "warehouse", {**DELIVERED, "taxi_fleet": dt.date(2025, 9, 30)})
    log_run(workspace, "r1", "published")
    code, out, _ = status(workspace, as_json=False)
    assert code == 5
    assert "目标差距 Target gap" in out and "按趋势难达标 off track" in out
    assert "off_track" not in out and "True" not in out and "False" not in out
    assert "2025-11-16 02:00:00" in out and "18:00" not in out  # China time, to the second
    assert "90.0%" in out and "92.0%" in out
    taxi = next(line for line in out.splitlines() if line.startswith("taxi_fleet"))
    assert "是 yes" in taxi


def test_json_without_a_warehouse_exits_1_in_one_line(workspace):
    code, out, err = status(workspace, as_json=True)
    assert code == 1 and json.loads(out)["exit_code"] == 1
    assert err.count("\n") == 1 and "no published warehouse" in err


@pytest.mark.parametrize("flag", [["--json"], []])
def test_the_cli_passes_json_through(workspace, capsys, flag):
    code = cli.main(["status", "--warehouse-dir", str(workspace / "warehouse"), *flag])
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith("{") if flag else out == ""


def test_columns_line_up_with_chinese_in_them():
    from pipelines.run_summary import format_table

    table = format_table(["状态 status", "n"], [("已达标 met", 1), ("no data", 22)])
    # "状态 status" is 4 + 7 = 11 terminal columns wide, so column n starts at 13 on every line
    assert table.splitlines() == ["状态 status  n ", "-----------  --", "已达标 met   1 ",
                                  "no data      22"]  # fmt: skip
