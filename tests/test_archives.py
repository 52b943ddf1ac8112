"""Zip archives are judged on their central directory before anything is inflated."""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zipfile

import pytest

from assets.gtfs.feed_reader import read_feed_content
from assets.gtfs.ingest import ingest_feed
from assets.ingest.archives import (
    ArchiveLimits,
    ArchiveRejected,
    declared_member_count,
    open_checked,
    read_member,
)
from assets.ingest.outcome import FileRejected
from assets.ingest.xlsx_files import read_xlsx_sheet
from pipelines import project
from tests.conftest import REPO_ROOT
from tests.fixtures.bad_inputs.zip_bombs import add_zeros, gtfs_bomb, understated, xlsx_bomb
from tests.source_files import good_buses

LIMITS = ArchiveLimits(max_bytes=10 << 20, max_ratio=100, max_members=20)
MIB = 1 << 20


def _zip(members: dict[str, bytes | int], compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of the given members; an int stands for that many zero bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            if isinstance(content, int):
                add_zeros(archive, name, content)
            else:
                archive.writestr(name, content)
    return buffer.getvalue()


def _rejection(data: bytes, limits: ArchiveLimits = LIMITS) -> str:
    with pytest.raises(ArchiveRejected) as caught:
        with open_checked(data, limits) as archive:
            for info in archive.infolist():
                read_member(archive, info, limits)
    return str(caught.value)


def test_a_member_of_zeros_is_refused_on_its_ratio_naming_member_and_limit():
    reason = _rejection(_zip({"agency.txt": b"agency_id\n1\n", "stop_times.txt": 2 * MIB}))
    assert "member stop_times.txt" in reason
    assert "compression ratio limit of 100" in reason
    assert "GREENTRACK_MAX_COMPRESSION_RATIO" in reason


def test_a_member_declaring_more_than_the_byte_limit_is_refused_stored_or_not():
    limits = ArchiveLimits(max_bytes=MIB, max_ratio=100, max_members=20)
    data = _zip({"stops.txt": b"x" * (MIB + 1)}, zipfile.ZIP_STORED)
    reason = _rejection(data, limits)
    assert reason.startswith("member stops.txt declares 1,048,577 bytes uncompressed")
    assert "above the limit of 1,048,576 (GREENTRACK_MAX_ARCHIVE_BYTES)" in reason


def test_members_each_within_the_byte_limit_are_refused_together():
    limits = ArchiveLimits(max_bytes=3 * MIB, max_ratio=100, max_members=20)
    members = {f"part{i}.txt": bytes(range(256)) * (MIB // 256) for i in range(4)}
    reason = _rejection(_zip(members, zipfile.ZIP_STORED), limits)
    assert reason.startswith("members declare 4,194,304 bytes uncompressed in all")
    assert "above the limit of 3,145,728" in reason


def test_small_members_that_inflate_together_are_refused_as_a_whole():
    # each 512 KiB of zeros is below the size where a ratio is judged; together they are not
    members = {f"part{i}.txt": MIB // 2 for i in range(4)}
    reason = _rejection(_zip(members))
    assert reason.startswith("the archive as a whole inflates")
    assert "compression ratio limit of 100" in reason


def test_a_small_repetitive_member_is_not_judged_on_its_ratio():
    data = _zip({"calendar_dates.txt": b"s1,20250101,1\n" * 50_000})  # 700 kB, ratio > 100
    with open_checked(data, LIMITS) as archive:
        (info,) = archive.infolist()
        assert info.file_size / info.compress_size > 100
        assert len(read_member(archive, info, LIMITS)) == 700_000


def test_too_many_members_are_refused_from_the_end_record():
    data = _zip({f"f{i}.txt": b"" for i in range(21)})
    assert declared_member_count(data) == 21
    assert _rejection(data) == "the archive declares 21 members, above the limit of 20"


def test_the_member_count_of_a_zip64_end_record_is_read(monkeypatch):
    # zipfile writes a zip64 end record past this count; the classic record then holds
    # 0xFFFF, as it does in any archive of more than 65,535 members
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 2)
    data = bytearray(_zip({f"f{i}.txt": b"" for i in range(3)}))
    struct.pack_into("<HH", data, data.rfind(b"PK\x05\x06") + 8, 0xFFFF, 0xFFFF)
    assert declared_member_count(bytes(data)) == 3
    assert _rejection(bytes(data), ArchiveLimits(MIB, 100, 2)).startswith(
        "the archive declares 3 members"
    )
    assert declared_member_count(b"not a zip") is None


def test_a_header_that_understates_its_member_is_refused_when_read():
    text = b"stop_id,stop_name\n" + b"1,a\n" * 30_000
    reason = _rejection(understated("stops.txt", text, declared=1000))
    assert reason.startswith("member stops.txt does not match its header (declared 1,000 bytes)")


def test_a_header_that_lies_with_a_matching_checksum_still_yields_no_more_than_it_declared():
    text = b"stop_id,stop_name\n" + b"1,a\n" * 30_000
    data = understated("stops.txt", text, declared=1000, crc_of_prefix=True)
    with open_checked(data, LIMITS) as archive:
        (info,) = archive.infolist()
        assert read_member(archive, info, LIMITS) == text[:1000]


def test_a_gtfs_bomb_becomes_an_archive_notice_and_a_rejected_feed(tmp_path):
    path = gtfs_bomb(tmp_path / "gtfs" / "bomb_20250101.zip", 64 * MIB)
    content = read_feed_content(path.read_bytes())
    assert content.notices["code"].to_list() == ["archive_limit_exceeded"]
    assert content.tables == {}
    outcome, _ = ingest_feed(path, tmp_path, dt.datetime(2025, 1, 2), {}, b"test-key")
    assert outcome.status == "rejected"
    assert outcome.reason.startswith("gtfs/bomb_20250101.zip: GTFS rule archive_limit_exceeded")
    assert "member stop_times.txt inflates" in outcome.reason
    assert "compression ratio limit of 100" in outcome.reason


def test_an_xlsx_bomb_is_rejected_before_openpyxl_opens_it(tmp_path):
    path = xlsx_bomb(tmp_path / "bus_fleet_20250101.xlsx", good_buses(3), 64 * MIB)
    with pytest.raises(FileRejected) as caught:
        read_xlsx_sheet(path.read_bytes(), "bus_fleet/bus_fleet_20250101.xlsx", "车辆台账")
    reason = str(caught.value)
    assert reason.startswith("bus_fleet/bus_fleet_20250101.xlsx: archive limit: ")
    assert "member xl/worksheets/sheet2.xml inflates" in reason


def test_an_xlsx_whose_header_understates_a_member_is_rejected():
    data = understated("xl/workbook.xml", b"<workbook>" + b" " * 100_000, declared=100)
    with pytest.raises(FileRejected, match="member xl/workbook.xml does not match its header"):
        read_xlsx_sheet(data, "bus_fleet/bus_fleet_20250101.xlsx", "车辆台账")


def test_the_limits_lift_with_their_variables(monkeypatch):
    monkeypatch.setenv("GREENTRACK_MAX_ARCHIVE_BYTES", "1MiB")
    monkeypatch.setenv("GREENTRACK_MAX_COMPRESSION_RATIO", "10000")
    limits = project.archive_limits()
    assert (limits.max_bytes, limits.max_ratio) == (MIB, 10000)
    data = _zip({"stop_times.txt": MIB - 1})  # ratio ~1000, within 10000
    with open_checked(data, limits) as archive:
        assert len(read_member(archive, archive.infolist()[0], limits)) == MIB - 1


@pytest.mark.parametrize(
    ("bytes_text", "ratio_text", "expected"),
    [
        (None, None, (4 * 1024**3, 100.0)),
        ("2GB", "50", (2_000_000_000, 50.0)),
        ("1073741824", "7.5", (1024**3, 7.5)),
        ("lots", "1", (4 * 1024**3, 100.0)),  # neither is a limit: the defaults, warned
        ("0", "inf", (4 * 1024**3, 100.0)),
    ],
)
def test_archive_limits_read_from_the_environment(monkeypatch, bytes_text, ratio_text, expected):
    for var, value in (
        ("GREENTRACK_MAX_ARCHIVE_BYTES", bytes_text),
        ("GREENTRACK_MAX_COMPRESSION_RATIO", ratio_text),
    ):
        if value is None:
            monkeypatch.delenv(var, raising=False)
        else:
            monkeypatch.setenv(var, value)
    limits = project.archive_limits()
    assert (limits.max_bytes, limits.max_ratio) == expected


def test_the_archive_variables_are_documented_with_their_defaults():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"\| `GREENTRACK_MAX_ARCHIVE_BYTES` \| `4GiB` \|", readme)
    assert re.search(r"\| `GREENTRACK_MAX_COMPRESSION_RATIO` \| `100` \|", readme)
