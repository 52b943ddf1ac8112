"""Discovery: which entries of data_raw/ a source reads, and which it lists as ignored.

Nothing but a regular file inside data_raw/ named as docs/sources.md says is ever opened: FIFOs
and devices are recognised from lstat/stat alone, so each case runs under a timeout guard.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
from pathlib import Path

import pytest

from assets.ingest import discovery
from assets.ingest.discovery import BUS_FLEET, GTFS, REGISTRATIONS, SURVEYS, discover
from tests.fixtures.bad_inputs.harness import finishes_within


def touch(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def names(found) -> list[str]:
    return [f.name for f in found.files]


def ignored(found) -> dict[str, str]:
    return {entry.name: entry.why for entry in found.ignored}


def test_only_names_with_a_real_date_are_read(tmp_path):
    folder = tmp_path / "registrations"
    touch(folder / "registrations_20251031.csv", "a")
    touch(folder / "registrations_20241231.CSV", "b")  # extension in any case
    touch(folder / "registrations_20251031 - 副本.csv", "c")
    touch(folder / "registrations_20251331.csv", "d")
    touch(folder / "registrations_latest.csv", "e")
    touch(folder / "Registrations_20251031.csv", "f")
    touch(folder / "~$registrations_20251031.csv", "g")
    touch(folder / ".ipynb_checkpoints" / "registrations_20251031-checkpoint.csv", "h")
    found = discover(tmp_path, REGISTRATIONS)
    assert names(found) == [
        "registrations/registrations_20241231.CSV",
        "registrations/registrations_20251031.csv",
    ]
    assert [f.file_date for f in found.files] == [dt.date(2024, 12, 31), dt.date(2025, 10, 31)]
    assert ignored(found) == {
        "registrations/.ipynb_checkpoints": (
            "a folder; name does not match registrations_YYYYMMDD.csv"
        ),
        "registrations/Registrations_20251031.csv": (
            "name does not match registrations_YYYYMMDD.csv"
        ),
        "registrations/registrations_20251031 - 副本.csv": (
            "name does not match registrations_YYYYMMDD.csv"
        ),
        "registrations/registrations_20251331.csv": "20251331 is not a real date",
        "registrations/registrations_latest.csv": "name does not match registrations_YYYYMMDD.csv",
        "registrations/~$registrations_20251031.csv": (
            "name does not match registrations_YYYYMMDD.csv"
        ),
    }


def test_a_fifo_with_a_matching_name_is_ignored_without_being_opened(tmp_path):
    folder = tmp_path / "registrations"
    folder.mkdir()
    os.mkfifo(folder / "registrations_20251031.csv")
    with finishes_within(5, "discovery"):
        found = discover(tmp_path, REGISTRATIONS)
    assert names(found) == []
    assert ignored(found) == {"registrations/registrations_20251031.csv": "a FIFO"}


def test_a_symlink_to_a_device_is_ignored_without_being_opened(tmp_path):
    folder = tmp_path / "bus_fleet"
    folder.mkdir()
    (folder / "bus_fleet_20251031.xlsx").symlink_to("/dev/zero")
    with finishes_within(5, "discovery"):
        found = discover(tmp_path, BUS_FLEET)
    assert names(found) == []
    assert ignored(found) == {
        "bus_fleet/bus_fleet_20251031.xlsx": "symlink pointing outside data_raw/"
    }


def test_a_symlink_inside_data_raw_to_a_device_node_is_ignored(tmp_path):
    folder = tmp_path / "registrations"
    folder.mkdir()
    device = tmp_path / "null"
    try:
        os.mknod(device, 0o600 | 0o020000, os.makedev(1, 3))  # a character device: /dev/null
    except PermissionError:
        pytest.skip("mknod needs root")
    (folder / "registrations_20251031.csv").symlink_to(device)
    with finishes_within(5, "discovery"):
        found = discover(tmp_path, REGISTRATIONS)
    assert ignored(found) == {"registrations/registrations_20251031.csv": "a character device"}


def test_a_symlink_out_of_data_raw_is_ignored(tmp_path):
    outside = touch(tmp_path / "elsewhere" / "registrations_20251031.csv")
    data_raw = tmp_path / "data_raw"
    (data_raw / "registrations").mkdir(parents=True)
    (data_raw / "registrations" / "registrations_20251031.csv").symlink_to(outside)
    found = discover(data_raw, REGISTRATIONS)
    assert names(found) == []
    assert ignored(found) == {
        "registrations/registrations_20251031.csv": "symlink pointing outside data_raw/"
    }


def test_a_source_folder_linked_from_outside_is_ignored_whole(tmp_path):
    touch(tmp_path / "elsewhere" / "registrations_20251031.csv")
    data_raw = tmp_path / "data_raw"
    data_raw.mkdir()
    (data_raw / "registrations").symlink_to(tmp_path / "elsewhere")
    found = discover(data_raw, REGISTRATIONS)
    assert names(found) == []
    assert ignored(found) == {"registrations": "symlink pointing outside data_raw/"}


def test_a_symlink_to_a_regular_file_inside_data_raw_is_read(tmp_path):
    target = touch(tmp_path / "archive" / "export.csv")
    folder = tmp_path / "registrations"
    folder.mkdir()
    (folder / "registrations_20251031.csv").symlink_to(target)
    found = discover(tmp_path, REGISTRATIONS)
    assert names(found) == ["registrations/registrations_20251031.csv"]
    assert found.ignored == []


def test_a_folder_posing_as_a_file_and_a_broken_link_are_ignored(tmp_path):
    folder = tmp_path / "registrations"
    (folder / "registrations_20251031.csv").mkdir(parents=True)
    (folder / "registrations_20251130.csv").symlink_to(folder / "missing.csv")
    found = discover(tmp_path, REGISTRATIONS)
    assert names(found) == []
    assert ignored(found) == {
        "registrations/registrations_20251031.csv": "a folder",
        "registrations/registrations_20251130.csv": "broken symlink",
    }


def test_an_unreadable_file_is_reported_not_ignored(tmp_path, monkeypatch):
    folder = tmp_path / "registrations"
    locked = touch(folder / "registrations_20251031.csv")
    touch(folder / "registrations_20241231.csv", "older")
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):
        if Path(path) == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(discovery.os, "open", refusing_open)
    found = discover(tmp_path, REGISTRATIONS)
    assert names(found) == ["registrations/registrations_20241231.csv"]
    assert [(f.name, why) for f, why in found.unreadable] == [
        ("registrations/registrations_20251031.csv", "unreadable: Permission denied")
    ]


def test_the_same_content_under_two_names_is_read_once_under_the_newest(tmp_path):
    folder = tmp_path / "registrations"
    touch(folder / "registrations_20251031.csv", "same")
    touch(folder / "registrations_20251130.csv", "same")
    found = discover(tmp_path, REGISTRATIONS)
    assert names(found) == ["registrations/registrations_20251130.csv"]
    assert ignored(found) == {
        "registrations/registrations_20251031.csv": (
            "same content as registrations/registrations_20251130.csv: not ingested twice"
        )
    }


def test_gtfs_names_carry_the_feed_name_and_keep_copies(tmp_path):
    folder = tmp_path / "gtfs"
    touch(folder / "taicang_bus_20250701.zip", "z")
    touch(folder / "taicang_bus_repost_20250715.ZIP", "z")
    touch(folder / "taicang_bus.zip", "y")
    touch(folder / "taicang_bus_20250701 (1).zip", "x")
    found = discover(tmp_path, GTFS)
    assert [(f.name, f.series) for f in found.files] == [
        ("gtfs/taicang_bus_20250701.zip", "taicang_bus"),
        ("gtfs/taicang_bus_repost_20250715.ZIP", "taicang_bus_repost"),
    ]
    assert sorted(ignored(found)) == ["gtfs/taicang_bus.zip", "gtfs/taicang_bus_20250701 (1).zip"]


def test_survey_waves_stray_folders_and_files(tmp_path):
    surveys = tmp_path / "surveys"
    for name in ("households.csv", "persons.csv", "trips.csv"):
        touch(surveys / "2024" / name)
    touch(surveys / "2019" / "households.csv")  # a wave with files missing stays a wave
    touch(surveys / "2024" / "trips - 副本.csv")
    touch(surveys / "2024 - 副本" / "trips.csv")
    touch(surveys / "notes" / "readme.txt")
    (surveys / ".ipynb_checkpoints").mkdir()
    touch(surveys / "index.csv")
    found = discover(tmp_path, SURVEYS)
    assert found.waves == ["2019", "2024"]
    assert [(f.name, f.series) for f in found.files] == [
        ("surveys/2019/households.csv", "2019/households"),
        ("surveys/2024/households.csv", "2024/households"),
        ("surveys/2024/persons.csv", "2024/persons"),
        ("surveys/2024/trips.csv", "2024/trips"),
    ]
    not_a_wave_id = "not a wave id (ASCII letters, digits, _ and -, no leading dot)"
    assert ignored(found) == {
        "surveys/.ipynb_checkpoints": not_a_wave_id,
        "surveys/2024 - 副本": not_a_wave_id,
        "surveys/2024/trips - 副本.csv": (
            "name does not match <wave_id>/{households,persons,trips}.csv"
        ),
        "surveys/index.csv": "a regular file, not a folder",
        "surveys/notes": "holds none of households.csv, persons.csv, trips.csv: not a wave",
    }


def test_a_missing_source_folder_finds_nothing_and_warns_nothing(tmp_path):
    found = discover(tmp_path, REGISTRATIONS)
    assert (found.files, found.ignored, found.unreadable) == ([], [], [])


def test_the_warning_lists_every_ignored_entry_once(tmp_path):
    touch(tmp_path / "registrations" / "a.csv")
    touch(tmp_path / "registrations" / "b.csv")
    found = discover(tmp_path, REGISTRATIONS)
    assert discovery.ignored_warning("registrations", found.ignored) == (
        "[registrations] 2 entries in data_raw/ not ingested: "
        "registrations/a.csv (name does not match registrations_YYYYMMDD.csv); "
        "registrations/b.csv (name does not match registrations_YYYYMMDD.csv)"
    )


def test_a_file_that_fails_while_being_read_is_rejected_not_a_crash(tmp_path, monkeypatch):
    """Discovery found it readable; the read itself fails (an I/O error, permissions changed)."""
    from assets.fleets.bus_ledger import ingest_bus_file
    from assets.ingest.source_run import ingest_csv_file
    from assets.registrations.records import registration_format, registration_rules

    csv = touch(tmp_path / "registrations" / "registrations_20251031.csv")
    xlsx = touch(tmp_path / "bus_fleet" / "bus_fleet_20251031.xlsx")
    real_read = Path.read_bytes

    def failing_read(path):
        if path in (csv, xlsx):
            raise OSError(errno.EIO, "Input/output error", str(path))
        return real_read(path)

    monkeypatch.setattr(Path, "read_bytes", failing_read)
    codes = {"plate_type": [], "new_energy_plate_type": [], "vehicle_type": [], "usage": []}
    codes |= {"fuel": [], "vehicle_status": [], "powertrain": []}
    fmt, rules = registration_format(), registration_rules(codes)
    loaded_at = dt.datetime(2026, 1, 1)
    outcomes = [
        ingest_csv_file(csv, tmp_path, fmt, rules, b"k", loaded_at),
        ingest_bus_file(xlsx, tmp_path, codes, b"k", loaded_at),
    ]
    assert [(o.status, o.reason, o.file_date, o.rows_read) for o in outcomes] == [
        (
            "rejected",
            "registrations/registrations_20251031.csv: unreadable: Input/output error",
            dt.date(2025, 10, 31),
            0,
        ),
        (
            "rejected",
            "bus_fleet/bus_fleet_20251031.xlsx: unreadable: Input/output error",
            dt.date(2025, 10, 31),
            0,
        ),
    ]
