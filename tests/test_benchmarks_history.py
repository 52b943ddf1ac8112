"""The "history" scenario's table: ratios and verdicts computed as stated, by hand."""

from __future__ import annotations

import datetime as dt

from benchmarks.history import MONTH_ENDS, history_rows


def _run(wall, rss, size):
    return {"exit_code": 0, "wall_seconds": wall, "peak_rss_mb": rss, "published_mb": size}


def test_twelve_month_ends_of_2025_the_newest_last():
    assert len(MONTH_ENDS) == 12 and len(set(MONTH_ENDS)) == 12
    assert [d.isoformat() for d in (MONTH_ENDS[0], MONTH_ENDS[1], MONTH_ENDS[-1])] == [
        "2025-01-31",
        "2025-02-28",
        "2025-12-31",
    ]


def test_history_verdicts_divide_by_the_first_run():
    result = {
        "scale": 1,
        "first_run": _run(40.0, 1000.0, 100.0),
        "rerun_unchanged": _run(12.0, 800.0, 100.0),  # 0.3 > 0.25
        "eleven_snapshots_first_run": _run(90.0, 2000.0, 400.0),
        "twelfth_snapshot_night": _run(48.0, 1200.0, 125.0),  # 1.2, 1.2, 1.25
    }
    rows = history_rows([result])
    assert "| 1 | rerun ÷ first run (wall) | ≤ 0.25 | 0.3 | ❌ not met |" in rows
    assert "| 1 | 12th night ÷ first run (wall) | ≤ 1.25 | 1.2 | ✅ met |" in rows
    assert "| 1 | 12th night ÷ first run (peak RSS) | ≤ 1.25 | 1.2 | ✅ met |" in rows
    assert "| 1 | published, 12 ÷ 1 snapshots | ≤ 1.3 | 1.25 | ✅ met |" in rows
    assert "| 1 | night of the 12th snapshot | 48.0 | 1200.0 | 125.0 | 0 |" in rows


def test_where_the_time_goes_names_the_slowest_stages_and_largest_tables():
    first = _run(40.0, 1000.0, 100.0) | {
        "stages": {"ingest registrations": 3.0, "dashboards__site": 6.0, "sql marts": 1.0},
        "largest_tables": {"raw.registrations": 500_000, "marts.dim_vehicle": 499_000},
    }
    result = {
        "scale": 1,
        "first_run": first,
        "rerun_unchanged": _run(12.0, 800.0, 100.0),
        "eleven_snapshots_first_run": _run(90.0, 2000.0, 400.0),
        "twelfth_snapshot_night": _run(48.0, 1200.0, 125.0),
    }
    rows = history_rows([result])
    assert (
        "| 1 | first run | dashboards__site 6.0, ingest registrations 3.0, sql marts 1.0 "
        "| raw.registrations 500,000, marts.dim_vehicle 499,000 |"
    ) in rows
    assert "| 1 | rerun | — | — |" in rows


HEADER = (
    "号牌号码,号牌种类,车辆识别代号,车辆类型,使用性质,燃料种类,"
    "初次登记日期,机动车状态,状态变更日期,所有人,住所行政区划"
)


def test_a_month_end_export_is_the_newest_population_seen_at_that_date(tmp_path):
    from benchmarks.history import export_as_of

    rows = [
        "苏E00001,02,VIN1,K33,A,A,2025-01-10,A,,个人,320585",  # registered before 31 Mar
        "苏E00002,02,VIN2,K33,A,A,2025-04-02,A,,个人,320585",  # registered after: absent
        "苏E00006,02,VIN6,K33,A,A,2025年4月2日,A,,个人,320585",  # the same date, spelt otherwise
        "苏E00007,02,VIN7,K33,A,A,20250330,A,,个人,320585",  # 30 March: present
        "苏E00003,02,VIN3,K33,A,C,2020-05-05,E,2025-06-30,个人,320585",  # deregistered later
        '苏E00004,02,VIN4,K33,A,A,2019-01-01,E,2025-02-01,"公司,有限",320585',  # gone by then
        "苏E00005,02,VIN5,K33,A,A,not a date,A,,个人,320585",  # a defect: in every month
    ]
    newest = tmp_path / "newest.csv"
    newest.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("gb18030"))
    path = export_as_of(newest, dt.date(2025, 3, 31), tmp_path)
    assert path.name == "registrations_20250331.csv"
    assert path.read_bytes().decode("gb18030").split("\r\n") == [
        HEADER,
        "苏E00001,02,VIN1,K33,A,A,2025-01-10,A,,个人,320585",
        "苏E00007,02,VIN7,K33,A,A,20250330,A,,个人,320585",
        "苏E00003,02,VIN3,K33,A,C,2020-05-05,A,,个人,320585",
        '苏E00004,02,VIN4,K33,A,A,2019-01-01,E,2025-02-01,"公司,有限",320585',
        "苏E00005,02,VIN5,K33,A,A,not a date,A,,个人,320585",
        "",
    ]


def test_one_pass_gives_each_month_end_its_own_view_of_a_later_change(tmp_path):
    from benchmarks.history import exports_as_of

    row = "苏E00003,02,VIN3,K33,A,C,2020-05-05,E,2025-06-30,个人,320585"  # deregistered 30 June
    newest = tmp_path / "newest.csv"
    newest.write_bytes(f"{HEADER}\r\n{row}\r\n".encode("gb18030"))
    month_ends = [dt.date(2025, 3, 31), dt.date(2025, 5, 31), dt.date(2025, 7, 31)]
    rows = [p.read_bytes().decode("gb18030").split("\r\n")[1] for p in exports_as_of(
        newest, month_ends, tmp_path
    )]  # fmt: skip
    not_yet = "苏E00003,02,VIN3,K33,A,C,2020-05-05,A,,个人,320585"
    assert rows == [not_yet, not_yet, row]


def test_a_peak_held_as_null_is_not_measured_and_gets_no_verdict():
    result = {
        "scale": 10,
        "first_run": _run(600.0, None, 1700.0),
        "rerun_unchanged": _run(280.0, None, 1700.0),
        "eleven_snapshots_first_run": _run(1200.0, None, 5500.0),
        "twelfth_snapshot_night": _run(690.0, None, 5900.0),
    }
    rows = history_rows([result])
    rss_goal = "| 10 | 12th night ÷ first run (peak RSS) | ≤ 1.25 | not measured | not measured |"
    assert rss_goal in rows
    assert "| 10 | first run, one snapshot | 600.0 | not measured | 1700.0 | 0 |" in rows
    assert "| 10 | 12th night ÷ first run (wall) | ≤ 1.25 | 1.15 | ✅ met |" in rows
