"""The registrations probe's re-encoding to UTF-8, done in pieces so scale 100 fits."""

from __future__ import annotations

from benchmarks import measure

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
