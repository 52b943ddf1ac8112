"""One publication: warehouse and dashboard together or neither; the empty-drop gate; the
pseudonym-key fingerprint; the run's loggers."""

from __future__ import annotations

import errno
import hashlib
import hmac
import logging
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from assets.publish import atomic
from assets.publish.atomic import PartialPublication, PublicationFailed, publish_together
from assets.publish.gates import NothingToPublish, allow_empty_from_env, require_source_files
from assets.publish.history import write_runs
from assets.publish.key_fingerprint import key_fingerprint
from assets.publish.key_history import previous_key_fingerprint
from pipelines.loggers import ConsoleHandler, is_user_message
from pipelines.records import append_record
from pipelines.warehouse import ensure_schemas


def tree(directory: Path) -> dict[str, str]:
    """Relative path → sha256 of every file under directory (what a reader would see)."""
    return {
        p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def release(tmp_path) -> dict[str, Path]:
    """A published warehouse and site (old), and a run's work file and built site (new)."""
    paths = {
        "published": tmp_path / "wh" / "green_transport.duckdb",
        "work": tmp_path / "wh" / "green_transport.duckdb.work",
        "site": tmp_path / "site",
        "site_work": tmp_path / "site.work",
    }
    paths["published"].parent.mkdir()
    for name, label in (("published", "old"), ("work", "new")):
        with duckdb.connect(str(paths[name])) as con:
            con.execute("create table t as select ? as v", [label])
    for name, label in (("site", "old"), ("site_work", "new")):
        (paths[name] / "data").mkdir(parents=True)
        (paths[name] / "index.html").write_text(f"<p>{label}</p>")
        (paths[name] / "data" / f"{label}.json").write_text("{}")
    return paths


def _label(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select v from t").fetchone()[0]


def _refuse(monkeypatch, should_refuse, code=errno.EBUSY):
    real = os.replace

    def replace(src, dst):
        if should_refuse(Path(src), Path(dst)):
            raise OSError(code, os.strerror(code), str(src))
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)


def test_both_are_published(release):
    publish_together(release["work"], release["published"], release["site_work"], release["site"])
    assert _label(release["published"]) == "new"
    assert tree(release["site"]) == {"data/new.json": _sha("{}"), "index.html": _sha("<p>new</p>")}
    assert not release["site_work"].exists() and not release["work"].exists()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_dashboard_dir_that_cannot_be_renamed_is_swapped_by_its_entries(release, monkeypatch):
    """A mount point cannot be renamed (EBUSY): its entries are swapped instead."""
    site = release["site"]
    _refuse(monkeypatch, lambda src, dst: src == site)
    inode = site.stat().st_ino
    publish_together(release["work"], release["published"], release["site_work"], site)
    assert _label(release["published"]) == "new"
    assert tree(site) == {"data/new.json": _sha("{}"), "index.html": _sha("<p>new</p>")}
    assert site.stat().st_ino == inode  # the same directory, new contents
    assert sorted(p.name for p in site.iterdir()) == ["data", "index.html"]


def test_a_dashboard_that_cannot_be_swapped_publishes_nothing(release, monkeypatch):
    site, before = release["site"], tree(release["site"])
    published_bytes = release["published"].read_bytes()
    _refuse(monkeypatch, lambda src, dst: site in (src, *src.parents) and dst.parent != site)
    with pytest.raises(PublicationFailed, match="dashboard could not be swapped"):
        publish_together(release["work"], release["published"], release["site_work"], site)
    assert release["published"].read_bytes() == published_bytes
    assert tree(site) == before
    assert sorted(p.name for p in site.iterdir()) == ["data", "index.html"]


def test_a_failed_entry_swap_puts_every_old_entry_back(release, monkeypatch):
    site, before = release["site"], tree(release["site"])
    staged = site / atomic.INCOMING / "index.html"
    _refuse(monkeypatch, lambda src, dst: src == site or src == staged)
    with pytest.raises(PublicationFailed):
        publish_together(release["work"], release["published"], release["site_work"], site)
    assert _label(release["published"]) == "old"
    assert tree(site) == before
    assert sorted(p.name for p in site.iterdir()) == ["data", "index.html"]


def test_a_warehouse_that_cannot_be_renamed_takes_the_dashboard_back(release, monkeypatch):
    before = tree(release["site"])
    _refuse(monkeypatch, lambda src, dst: dst == release["published"], errno.EXDEV)
    with pytest.raises(PublicationFailed, match="was put back as it was"):
        publish_together(
            release["work"], release["published"], release["site_work"], release["site"]
        )
    assert _label(release["published"]) == "old"
    assert tree(release["site"]) == before


def test_a_dashboard_that_cannot_be_taken_back_is_named_exactly(release, monkeypatch):
    site = release["site"]
    _refuse(
        monkeypatch,
        lambda src, dst: dst == release["published"] or (src == site and dst.name == "site.work"),
    )
    with pytest.raises(PartialPublication) as raised:
        publish_together(release["work"], release["published"], release["site_work"], site)
    message = str(raised.value)
    assert f"the new dashboard is published at {site}" in message
    assert f"the warehouse {release['published']} is the old one" in message
    assert _label(release["published"]) == "old"


def test_a_real_mount_point_dashboard_is_published(release, tmp_path):
    """The dashboards dir as a tmpfs mount (needs root and mount; skipped otherwise)."""
    site = release["site"]
    shutil.rmtree(site)
    site.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(site)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        (site / "index.html").write_text("<p>old</p>")
        publish_together(release["work"], release["published"], release["site_work"], site)
        assert os.path.ismount(site)
        assert tree(site) == {"data/new.json": _sha("{}"), "index.html": _sha("<p>new</p>")}
        assert _label(release["published"]) == "new"
    finally:
        subprocess.run(["umount", str(site)], capture_output=True)


# --- the empty-drop gate ---


def _ledger(rows: int) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema audit")
    con.execute("create table audit.source_files (file_name varchar)")
    for i in range(rows):
        con.execute("insert into audit.source_files values (?)", [f"f{i}"])
    return con


def test_no_source_file_stops_publication_and_names_data_raw():
    with pytest.raises(NothingToPublish, match="data_raw /srv/drop holds no source file"):
        require_source_files(_ledger(0), Path("/srv/drop"), allow_empty=False)


def test_no_ledger_at_all_counts_as_no_source_file():
    with pytest.raises(NothingToPublish):
        require_source_files(duckdb.connect(), Path("/srv/drop"), allow_empty=False)


def test_one_source_file_or_allow_empty_lets_publication_go_on():
    require_source_files(_ledger(1), Path("/srv/drop"), allow_empty=False)
    require_source_files(_ledger(0), Path("/srv/drop"), allow_empty=True)


@pytest.mark.parametrize("value, allowed", [("1", True), ("yes", True), ("0", False), ("", False)])
def test_allow_empty_from_env(monkeypatch, value, allowed):
    monkeypatch.setenv("GREENTRACK_ALLOW_EMPTY", value)
    assert allow_empty_from_env() is allowed


# --- the pseudonym-key fingerprint ---


def test_the_fingerprint_tells_keys_apart_and_is_not_a_plain_hash():
    first, second = key_fingerprint(b"key-one"), key_fingerprint(b"key-two")
    assert len(first) == 16 and int(first, 16) >= 0
    assert first == key_fingerprint(b"key-one") and first != second
    assert first not in hashlib.sha256(b"key-one").hexdigest()
    assert first not in hmac.new(b"key-one", b"", hashlib.sha256).hexdigest()
    expected = hashlib.pbkdf2_hmac("sha256", b"key-one", b"greentrack key fingerprint", 100_000, 8)
    assert first == expected.hex()


def _runs_table(path: Path, rows: list[tuple], with_fingerprint: bool) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema audit")
        extra = ", key_fingerprint varchar" if with_fingerprint else ""
        con.execute(
            f"create table audit.runs (run_id varchar, published boolean, "
            f"started_at timestamp, ended_at timestamp{extra})"
        )
        con.executemany(f"insert into audit.runs values ({', '.join('?' * len(rows[0]))})", rows)


def test_the_previous_fingerprint_is_the_newest_published_runs(tmp_path):
    path = tmp_path / "green_transport.duckdb"
    _runs_table(
        path,
        [
            ("r1", True, "2025-10-01 02:00", "2025-10-01 02:01", "aaaa"),
            ("r2", True, "2025-10-02 02:00", "2025-10-02 02:01", "bbbb"),
            ("r3", False, "2025-10-03 02:00", "2025-10-03 02:01", "cccc"),
        ],
        with_fingerprint=True,
    )
    assert previous_key_fingerprint(path) == "bbbb"


def test_an_older_release_or_no_warehouse_has_no_previous_fingerprint(tmp_path):
    path = tmp_path / "green_transport.duckdb"
    assert previous_key_fingerprint(path) is None
    _runs_table(path, [("r1", True, "2025-10-01 02:00", "2025-10-01 02:01")], False)
    assert previous_key_fingerprint(path) is None
    path.write_text("not a database")
    assert previous_key_fingerprint(path) is None


def test_audit_runs_keeps_older_records_without_a_fingerprint(workspace):
    log = workspace / "warehouse" / "runs.jsonl"
    append_record(log, {"run_id": "old", "status": "published", "published": True})
    con = duckdb.connect()
    ensure_schemas(con)
    write_runs(
        con,
        {"run_id": "new", "status": "published", "key_fingerprint": "ab12", "key_changed": True},
    )
    rows = con.execute("select run_id, key_fingerprint, key_changed from audit.runs").fetchall()
    assert rows == [("old", None, None), ("new", "ab12", True)]


# --- the run's loggers ---


def _record(level: int, event=None, message="font missing") -> logging.LogRecord:
    record = logging.LogRecord("greentrack.run", level, __file__, 1, "job - run - x", None, None)
    record.dagster_meta = {"dagster_event": event, "orig_message": message, "step_key": "site"}
    return record


def test_the_console_gets_one_line_per_asset_warning_only(capsys):
    handler = ConsoleHandler(logging.WARNING)
    handler.handle(_record(logging.WARNING, message="font missing\nsecond line"))
    handler.handle(_record(logging.ERROR, message="Dependencies were not executed"))
    handler.handle(_record(logging.WARNING, event=object(), message="a Dagster event"))
    suite = _record(logging.WARNING, message="[WARN] quality.reconciliation: 6 rows")
    suite.dagster_meta["step_key"] = "quality__reconciliation_gx_suite"
    handler.handle(suite)  # listed in the run summary's Quality section instead
    assert capsys.readouterr().err == "greentrack WARNING (site): font missing\n"
    assert is_user_message(_record(logging.WARNING))
    assert not is_user_message(_record(logging.WARNING, event=object()))
