"""The registrations probe's re-encoding to UTF-8, done in pieces so scale 100 fits; and a
measured run's peak RSS being the run's own, whatever the bench process holds."""

from __future__ import annotations

import sys

from benchmarks import measure
from benchmarks.measure import child_peak_mb, in_child, memory_mb

TEXT = "号牌号码,所有人\r\n苏E12345,太仓市公安局\r\n苏U0001警,張三\r\n沪A00001,\r\n"


def test_reencoding_in_pieces_cut_at_newlines_gives_the_whole_file(monkeypatch, tmp_path):
    source = tmp_path / "registrations.csv"
    source.write_bytes(TEXT.encode("gb18030"))
    # 7-byte reads: every piece ends inside a line (each line is longer), so the cut must wait
    # for the next newline and carry the rest over
    monkeypatch.setattr(measure, "REENCODE_BYTES", 7)
    seconds = measure.reencode_to_utf8(source, tmp_path / "utf8.csv")
    assert (tmp_path / "utf8.csv").read_bytes() == TEXT.encode("utf-8")
    assert seconds >= 0


def test_a_file_without_a_final_newline_keeps_its_last_line(tmp_path):
    source = tmp_path / "registrations.csv"
    source.write_bytes((TEXT + "苏E99999,末行").encode("gb18030"))
    measure.reencode_to_utf8(source, tmp_path / "utf8.csv")
    assert (tmp_path / "utf8.csv").read_text(encoding="utf-8").endswith("苏E99999,末行")


def test_a_child_peak_no_higher_than_the_parent_at_the_fork_is_the_childs_own_high_water():
    assert child_peak_mb(900.0, parent_at_fork=800.0, sampled_hwm=850.0) == 900.0
    assert child_peak_mb(800.0, parent_at_fork=800.0, sampled_hwm=60.0) == 60.0
    assert child_peak_mb(700.0, parent_at_fork=800.0, sampled_hwm=None) == 700.0


def _allocate(megabytes: int) -> int:
    block = bytearray(megabytes * 1024 * 1024)
    block[::4096] = b"\1" * len(block[::4096])
    return len(block) // (1024 * 1024)


def test_what_a_spawned_child_allocates_never_swells_the_bench_process():
    before = memory_mb("self")["VmRSS"]
    assert in_child(_allocate, 300) == 300
    assert memory_mb("self")["VmRSS"] - before < 100


def test_a_large_bench_process_does_not_become_the_measured_peak(monkeypatch, tmp_path):
    """Linux hands a child its parent's RSS at the fork as a starting maximum; a 400 MB bench
    process measuring a run that needs far less must report the run's own peak."""
    ballast = bytearray(400 * 1024 * 1024)
    ballast[::4096] = b"\1" * len(ballast[::4096])
    (tmp_path / "warehouse").mkdir()
    (tmp_path / "warehouse" / "runs.jsonl").write_text("", encoding="utf-8")
    quiet = [sys.executable, "-c", "import time; time.sleep(0.5)"]
    real_popen = measure.subprocess.Popen
    monkeypatch.setattr(measure.subprocess, "Popen", lambda _, **kw: real_popen(quiet, **kw))
    run = measure.run_pipeline_child(tmp_path / "data_raw", tmp_path)
    assert len(ballast) and run["peak_rss_mb"] < 100
