"""The dagster.yaml greentrack writes: SQLite by default, PostgreSQL when
GREENTRACK_DAGSTER_POSTGRES_URL is set, and then only a reference to that variable on disk."""

from __future__ import annotations

import pytest
import yaml
from dagster._config import process_config
from dagster._core.instance.config import dagster_instance_config
from dagster_postgres.utils import pg_config, pg_url_from_config

from pipelines import instance

SECRET_URL = "postgresql+psycopg2://greentrack:s3cret%2Fpw@db.bureau.local:5433/greentrack_dagster"


@pytest.fixture(autouse=True)
def own_home(workspace, monkeypatch):
    """A home of this test's own: the session's shared home already holds a dagster.yaml."""
    monkeypatch.setenv("DAGSTER_HOME", str(workspace / "dagster_home"))


def test_postgres_storage_refers_to_the_variable_and_never_holds_the_password(monkeypatch):
    monkeypatch.setenv(instance.POSTGRES_URL_ENV, SECRET_URL)
    home = instance.ensure_home()
    text = (home / "dagster.yaml").read_text()
    assert "s3cret" not in text and "db.bureau.local" not in text
    config = yaml.safe_load(text)
    assert config["storage"] == {
        "postgres": {"postgres_url": {"env": "GREENTRACK_DAGSTER_POSTGRES_URL"}}
    }
    # the queue of one and telemetry off do not depend on the storage
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert config["concurrency"]["runs"]["max_concurrent_runs"] == 1
    assert config["concurrency"]["pools"]["default_limit"] == 1
    assert config["telemetry"] == {"enabled": False}
    # Dagster accepts the file and resolves the reference to the URL in the environment
    validated, _ = dagster_instance_config(str(home))
    storage = process_config(pg_config(), validated["storage"]["postgres"])
    assert storage.success and pg_url_from_config(storage.value) == SECRET_URL


def test_without_the_variable_the_storage_is_sqlite(monkeypatch):
    monkeypatch.delenv(instance.POSTGRES_URL_ENV, raising=False)
    home = instance.ensure_home()
    config = yaml.safe_load((home / "dagster.yaml").read_text())
    assert "storage" not in config  # Dagster's default: SQLite files inside the home
    assert config["concurrency"]["runs"]["max_concurrent_runs"] == 1
    assert config["telemetry"] == {"enabled": False}


def test_an_existing_file_is_kept_and_a_variable_it_ignores_is_reported(monkeypatch, capsys):
    monkeypatch.delenv(instance.POSTGRES_URL_ENV, raising=False)
    home = instance.ensure_home()
    sqlite_file = (home / "dagster.yaml").read_text()
    monkeypatch.setenv(instance.POSTGRES_URL_ENV, SECRET_URL)
    instance.ensure_home()
    assert (home / "dagster.yaml").read_text() == sqlite_file
    err = capsys.readouterr().err
    assert "GREENTRACK_DAGSTER_POSTGRES_URL is set but" in err and "s3cret" not in err


def test_a_url_without_the_installed_driver_is_reported(monkeypatch, capsys):
    monkeypatch.setenv(instance.POSTGRES_URL_ENV, "postgresql://greentrack@db/greentrack_dagster")
    instance.ensure_home()
    assert "should start with postgresql+psycopg2://" in capsys.readouterr().err
