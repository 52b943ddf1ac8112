"""Settings an operator tunes: DuckDB's memory limit, the cache directory."""

from __future__ import annotations

import logging

import duckdb
import pytest

from pipelines import project
from pipelines.resources import warehouse_resource


def _limit_of(resource) -> str:
    with resource.get_connection() as con:
        return con.execute("select current_setting('memory_limit')").fetchall()[0][0]


def _duckdb_says(limit: str) -> str:
    with duckdb.connect(config={"memory_limit": limit}) as con:
        return con.execute("select current_setting('memory_limit')").fetchall()[0][0]


def test_default_limit_is_applied(tmp_path, monkeypatch):
    monkeypatch.delenv("GREENTRACK_DUCKDB_MEMORY_LIMIT", raising=False)
    resource = warehouse_resource(str(tmp_path / "w.duckdb"))
    assert _limit_of(resource) == _duckdb_says("2GB")
    assert _duckdb_says("2GB") != _duckdb_says("3GB")  # the comparison can tell limits apart


def test_limit_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GREENTRACK_DUCKDB_MEMORY_LIMIT", "700MB")
    assert _limit_of(warehouse_resource(str(tmp_path / "w.duckdb"))) == _duckdb_says("700MB")


def test_a_connection_is_closed_when_the_asset_body_raises(tmp_path):
    """The runner reads the work file read-only after a failed asset; an open read-write
    connection left behind by the failure would make DuckDB refuse it."""
    path = tmp_path / "w.duckdb"
    with pytest.raises(ValueError) as failure:  # `failure` keeps the traceback (and frames) alive
        with warehouse_resource(str(path)).get_connection() as con:
            con.execute("create table t as select 1 as x")
            raise ValueError("asset failed")
    assert failure.value.args == ("asset failed",)
    with duckdb.connect(str(path), read_only=True) as reader:
        assert reader.execute("select x from t").fetchall() == [(1,)]


def test_a_malformed_limit_warns_and_keeps_the_default(monkeypatch, caplog):
    monkeypatch.setenv("GREENTRACK_DUCKDB_MEMORY_LIMIT", "lots")
    with caplog.at_level(logging.WARNING):
        assert project.duckdb_memory_limit() == "2GB"
    assert "GREENTRACK_DUCKDB_MEMORY_LIMIT='lots'" in caplog.text


def test_stale_spill_and_spool_directories_are_removed(tmp_path):
    from assets.publish.atomic import remove_stale_work

    work = tmp_path / "green_transport.duckdb.work"
    (tmp_path / "green_transport.duckdb.work.tmp").mkdir()
    (tmp_path / "green_transport.duckdb.work.tmp" / "duckdb_temp_block-1.block").write_bytes(b"x")
    (tmp_path / ".spool" / "rows-1").mkdir(parents=True)
    removed = remove_stale_work(work)
    assert sorted(p.name for p in removed) == [".spool", "green_transport.duckdb.work.tmp"]
    assert list(tmp_path.iterdir()) == []


def test_cache_dir_follows_greentrack_then_xdg_then_home(tmp_path, monkeypatch):
    monkeypatch.delenv("GREENTRACK_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert project.cache_dir() == (tmp_path / "home" / ".cache" / "greentrack").resolve()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert project.cache_dir() == (tmp_path / "xdg" / "greentrack").resolve()
    monkeypatch.setenv("GREENTRACK_CACHE_DIR", str(tmp_path / "mine"))
    assert project.cache_dir() == (tmp_path / "mine").resolve()
