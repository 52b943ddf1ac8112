"""Whole runs on one drop: the second carries every ledger file, takes every SQL model whose
inputs are unchanged and the dashboard from the published warehouse, and publishes the same
numbers."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from assets.warehouse.fingerprints import BUILT, SKIPPED
from assets.warehouse.sql_models import discover_models
from pipelines import cli, project
from tests.fixtures.bad_inputs.run import run_argv

pytestmark = pytest.mark.slow  # whole runs: `make test-slow` (CI runs it)


def _run(root: Path, *flags: str) -> int:
    return cli.main([*run_argv(root), *flags])


def _published(root: Path, sql: str) -> list[tuple]:
    path = root / "warehouse" / "green_transport.duckdb"
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_rerun_carries_every_ledger_file_and_publishes_the_same_metric_hash(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("GREENTRACK_PSEUDONYM_KEY", "incremental-key")
    data_raw = tmp_path / "data_raw"
    generate = ["generate", "--out", str(data_raw), "--scale", "0.01", "--seed", "5"]
    assert cli.main([*generate, "--defect-rate", "0.02"]) == 0
    first_code = _run(tmp_path)
    raw_first = _published(tmp_path, "select * exclude (_loaded_at) from raw.registrations")
    page_first = (tmp_path / "site" / "index.html").read_bytes()
    capsys.readouterr()
    assert _run(tmp_path) == first_code
    summary = capsys.readouterr().out
    assert (tmp_path / "site" / "index.html").read_bytes() == page_first
    rerun_builds = _published(
        tmp_path, "select action, count(*) from audit.model_builds group by 1 order by 1"
    )
    rerun_built = _published(
        tmp_path, "select table_name from audit.model_builds where action = 'built'"
    )
    assert _run(tmp_path, "--full") == first_code
    full_summary = capsys.readouterr().out

    models = len(discover_models(project.SQL_DIR))
    # The GTFS feeds are read every night, so their ledger rows get a new load time and the
    # one model reading the whole ledger is computed again; its rows are the same, so nothing
    # that reads it is rebuilt (early cutoff).
    assert rerun_built == [("staging.stg_audit__accepted_files",)]
    assert rerun_builds == [(BUILT, 1), (SKIPPED, models - 1)]
    # one progress line per skipped SQL model, and one for the dashboard, not drawn again
    assert summary.count(", skipped (unchanged)") == models - 1 + 1
    assert "dashboards.site" in [
        line.split()[1] for line in summary.splitlines() if line.endswith(", skipped (unchanged)")
    ]
    assert "skipped (unchanged)" not in full_summary
    assert _published(tmp_path, "select action, count(*) from audit.model_builds group by 1") == [
        (BUILT, models)
    ]

    hashes = _published(tmp_path, "select metric_hash from audit.runs order by started_at")
    assert len(hashes) == 3 and len(set(hashes)) == 1, hashes
    assert sorted(raw_first) == sorted(
        _published(tmp_path, "select * exclude (_loaded_at) from raw.registrations")
    )
    # scale 0.01 writes two exports of each ledger (2024-12-31 and 2025-10-31)
    for source in ("bus_fleet", "registrations", "taxi_fleet"):
        assert f"{source}: 2 file(s) carried, 0 ingested" in summary
    # the --full run read everything again and said so
    assert _published(
        tmp_path,
        "select source, files_carried, reingest_reason from audit.source_ingest "
        "where ingest_fingerprint is not null order by source",
    ) == [
        (source, 0, "--full: every file ingested again")
        for source in ("bus_fleet", "registrations", "surveys", "taxi_fleet")
    ]
