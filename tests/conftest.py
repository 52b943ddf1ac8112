"""Shared fixtures: a private data_raw / warehouse / site per test, and a materialise helper."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"
TEST_KEY = "test-key-for-greentrack"


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache directory per test process, so tests never write to the user's ~/.cache
    and the Vega bundle is built once per process, not once per test."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session", autouse=True)
def dagster_home(tmp_path_factory: pytest.TempPathFactory):
    """One persistent Dagster instance per test process: creating an instance's SQLite storage
    takes seconds, and `greentrack run` records every run on the instance of DAGSTER_HOME.
    A test of the default home (`<warehouse-dir>/.dagster`) removes the variable itself."""
    with pytest.MonkeyPatch.context() as patch:
        home = tmp_path_factory.mktemp("dagster_home")
        patch.setenv("DAGSTER_HOME", str(home))
        yield home


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, session_cache: Path) -> Path:
    """Point every greentrack path at a temp dir; returns the root (data_raw/ inside it)."""
    (tmp_path / "data_raw").mkdir()
    monkeypatch.setenv("GREENTRACK_CACHE_DIR", str(session_cache))
    monkeypatch.setenv("GREENTRACK_DATA_RAW", str(tmp_path / "data_raw"))
    monkeypatch.setenv("GREENTRACK_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("GREENTRACK_DASHBOARDS_DIR", str(tmp_path / "site"))
    monkeypatch.setenv("GREENTRACK_PSEUDONYM_KEY", TEST_KEY)
    return tmp_path


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The URL of a throwaway PostgreSQL server's database (tests/postgres_server.py), started
    only for a test that requests it; the test skips when no server binaries exist."""
    from tests.postgres_server import throwaway_server

    with throwaway_server() as url:
        yield url


@pytest.fixture(scope="session")
def published_before(tmp_path_factory) -> Path:
    """The warehouse directory after a clean run of the bad-input drop; every bad-input case
    starts from a copy of it (built once per test process)."""
    from tests.fixtures.bad_inputs.harness import build_published

    return build_published(tmp_path_factory.mktemp("published"))


def materialise(assets: list, database: Path) -> duckdb.DuckDBPyConnection:
    """Materialise `assets` into `database` in-process; returns a read connection to it."""
    result = dg.materialize(assets, resources={"duckdb": DuckDBResource(database=str(database))})
    assert result.success
    return duckdb.connect(str(database), read_only=True)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()
