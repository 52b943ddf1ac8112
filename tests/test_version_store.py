"""Each file version is ingested once: later runs carry its outcome from the version store.

Every test materialises one or two sources in-process on tiny hand-made files; the outcome
carried by a second materialisation must equal what a fresh ingest (GREENTRACK_FULL=1)
writes: the same raw rows, quarantine rows and audit line.
"""

from __future__ import annotations

import os
import shutil

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from assets.fleets.assets import raw_bus_fleet, raw_taxi_fleet
from assets.ingest import ingest_fingerprint, version_store
from assets.ingest.outcome import FileOutcome
from assets.reference.assets import reference_tables
from assets.registrations.assets import raw_registrations
from assets.surveys.assets import raw_surveys
from pipelines import project
from tests.conftest import materialise, rows
from tests.source_files import (
    REGISTRATION_HEADER,
    SURVEY_HH,
    SURVEY_PERSONS,
    SURVEY_TRIPS,
    TAXI_HEADER,
    good_buses,
    good_registrations,
    write_bus_ledger,
    write_csv,
)

AUDIT_COLUMNS = (
    "file_name, sha256, file_date, encoding, rows_read, rows_loaded, rows_quarantined, "
    "rows_skipped_blank, status, reason, warnings"
)


def _registrations(data_raw, name="registrations_20251031.csv", count=40):
    bad = "苏E9999,02,,K33,A,A,not-a-date,A,,个人,320585100"  # one quarantined row
    write_csv(
        data_raw / "registrations" / name, REGISTRATION_HEADER, [*good_registrations(count), bad]
    )


def _buses(data_raw, name="bus_fleet_20251031.xlsx"):
    bad = ["B1", "苏E00001", "101", 10.5, 30, "蒸汽机", "2019-01-01", None, "运营", "太仓公交"]
    write_bus_ledger(data_raw / "bus_fleet" / name, [*good_buses(30), bad])


def _taxis(data_raw, name="taxi_fleet_20251031.csv"):
    lines = [f"太仓出租,苏E2{i:04d},巡游出租车,纯电动,市区,2021-03-05," for i in range(30)]
    lines.append("太仓出租,苏E29999,巡游出租车,核动力,市区,2021-03-05,")  # quarantined
    write_csv(data_raw / "taxi_fleet" / name, TAXI_HEADER, lines, "utf-8-sig")


def _wave(data_raw, wave_id="2024", persons=("H1,1,40,1,w,100", "H1,2,38,2,w,100")):
    wave = data_raw / "surveys" / wave_id
    write_csv(wave / "households.csv", SURVEY_HH, ["H1,320585100,2,1,1,100"], "utf-8")
    write_csv(wave / "persons.csv", SURVEY_PERSONS, list(persons), "utf-8")
    trips = [f"H1,1,{n},08:00,08:30,320585100,320585100,1,4,5,100" for n in range(1, 30)]
    trips.append("H1,9,1,08:00,08:20,320585100,320585100,4,1,1,100")  # person 9: quarantined
    write_csv(wave / "trips.csv", SURVEY_TRIPS, trips, "utf-8")


SOURCES = {
    "registrations": (raw_registrations, _registrations, "raw.registrations"),
    "bus_fleet": (raw_bus_fleet, _buses, "raw.bus_fleet"),
    "taxi_fleet": (raw_taxi_fleet, _taxis, "raw.taxi_fleet"),
    "surveys": (raw_surveys, _wave, "raw.survey_trips"),
}


def _written(con, table, source):
    """What the ingest of `source` wrote, apart from when and by which run."""
    where = [source]
    return {
        "raw": rows(con, f"select * exclude (_loaded_at) from {table} order by all"),
        "quarantine": rows(
            con,
            "select * exclude (run_id) from quality.quarantine where source = ? order by all",
            where,
        ),
        "audit": rows(
            con,
            f"select {AUDIT_COLUMNS} from audit.source_files where source = ? order by all",
            where,
        ),
    }


def _carried(con):
    return rows(con, "select file_name, carried from audit.source_files order by file_name")


def test_a_carried_outcome_equals_a_fresh_ingest_for_every_source(workspace, monkeypatch):
    assets = [reference_tables]
    for asset, write, _ in SOURCES.values():
        write(workspace / "data_raw")
        assets.append(asset)
    first = materialise(assets, workspace / "first.duckdb")
    carried = materialise(assets, workspace / "carried.duckdb")
    monkeypatch.setenv("GREENTRACK_FULL", "1")
    fresh = materialise(assets, workspace / "fresh.duckdb")

    assert {c for _, c in _carried(first)} == {False}
    assert {c for _, c in _carried(carried)} == {True}
    assert {c for _, c in _carried(fresh)} == {False}  # --full ignores the store
    assert (
        rows(fresh, "select reingest_reason from audit.source_ingest")
        == [("--full: every file ingested again",)] * 4
    )
    for source, (_, _, table) in SOURCES.items():
        expected = _written(fresh, table, source)
        # 30 good rows (registrations 40; the wave's trips 29) and one quarantined
        expected_rows = {"registrations": 40, "surveys": 29}.get(source, 30)
        assert len(expected["raw"]) == expected_rows
        assert len(expected["quarantine"]) == 1
        assert _written(carried, table, source) == expected, source
        # the carried rows keep the time they were first loaded
        assert rows(carried, f"select distinct _loaded_at from {table}") == rows(
            first, f"select distinct _loaded_at from {table}"
        )


def test_a_new_snapshot_is_read_the_older_carried_and_a_correction_replaces_its_version(
    workspace,
):
    data_raw = workspace / "data_raw"
    _registrations(data_raw, "registrations_20250930.csv")
    materialise([reference_tables, raw_registrations], workspace / "a.duckdb")
    _registrations(data_raw, "registrations_20251031.csv", count=41)
    con = materialise([reference_tables, raw_registrations], workspace / "b.duckdb")
    assert _carried(con) == [
        ("registrations/registrations_20250930.csv", True),
        ("registrations/registrations_20251031.csv", False),
    ]
    assert rows(con, "select files_ingested, files_carried from audit.source_ingest") == [(1, 1)]
    october = rows(con, "select sha256 from audit.source_files where file_date = '2025-10-31'")

    _registrations(data_raw, "registrations_20251031.csv", count=45)  # corrected, same name
    con = materialise([reference_tables, raw_registrations], workspace / "c.duckdb")
    assert _carried(con) == [
        ("registrations/registrations_20250930.csv", True),
        ("registrations/registrations_20251031.csv", False),
    ]
    assert rows(
        con, "select count(*) from raw.registrations where _source_file like '%20251031%'"
    ) == [(45,)]
    corrected = rows(con, "select sha256 from audit.source_files where file_date = '2025-10-31'")
    assert corrected != october
    stored = {p.name.split("-")[0] for p in version_store.source_store("registrations").iterdir()}
    assert october[0][0] not in stored  # the replaced version's entry is gone
    assert corrected[0][0] in stored


def _copy_inputs(tmp_path):
    """The files every fingerprint reads, in a throw-away repository root."""
    root = tmp_path / "root"
    for inputs in ingest_fingerprint.SOURCE_INPUTS.values():
        for module in inputs.modules:
            (root / module).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(project.REPO_ROOT / module, root / module)
    shutil.copytree(project.REPO_ROOT / "assets/ingest", root / "assets/ingest")
    shutil.copytree(project.REFERENCE_DIR, root / "reference")
    return root


def _digests(root, key=b"k"):
    return {
        source: ingest_fingerprint.digest(ingest_fingerprint.components(source, key, root))
        for source in ingest_fingerprint.SOURCE_INPUTS
    }


@pytest.mark.parametrize(
    ("edited", "affected"),
    [
        ("reference/fuel.csv", {"registrations"}),
        ("reference/town.csv", {"taxi_fleet", "surveys"}),
        ("reference/powertrain.csv", {"bus_fleet", "taxi_fleet"}),
        ("assets/fleets/rules.py", {"bus_fleet", "taxi_fleet"}),
        ("assets/registrations/records.py", {"registrations"}),
        ("assets/ingest/row_rules.py", {"registrations", "bus_fleet", "taxi_fleet", "surveys"}),
        ("reference/travel_mode.csv", {"surveys"}),
        ("assets/surveys/waves.py", {"surveys"}),
        ("reference/vehicle_type.csv", {"registrations"}),
    ],
)
def test_an_edit_changes_the_fingerprint_of_exactly_the_sources_that_read_it(
    tmp_path, edited, affected
):
    root = _copy_inputs(tmp_path)
    before = _digests(root)
    with (root / edited).open("a") as handle:
        handle.write("\n")
    after = _digests(root)
    assert {s for s in before if before[s] != after[s]} == affected


def test_a_new_pseudonym_key_changes_every_fingerprint(tmp_path):
    root = _copy_inputs(tmp_path)
    old, new = _digests(root, b"old key"), _digests(root, b"new key")
    assert all(old[source] != new[source] for source in old)


def test_a_changed_code_table_reingests_only_its_sources_and_says_why(workspace, monkeypatch):
    data_raw = workspace / "data_raw"
    _registrations(data_raw)
    _taxis(data_raw)
    assets = [reference_tables, raw_registrations, raw_taxi_fleet]
    materialise(assets, workspace / "a.duckdb")
    root = _copy_inputs(workspace)
    with (root / "reference/town.csv").open("a") as handle:
        handle.write("\n")  # same codes, other bytes: the fingerprint cannot tell
    monkeypatch.setattr(project, "REPO_ROOT", root)
    con = materialise(assets, workspace / "b.duckdb")

    assert _carried(con) == [
        ("registrations/registrations_20251031.csv", True),
        ("taxi_fleet/taxi_fleet_20251031.csv", False),
    ]
    assert rows(con, "select source, reingest_reason from audit.source_ingest order by 1") == [
        ("registrations", None),
        ("taxi_fleet", "ingested again: reference/town.csv changed"),
    ]


def test_an_unreadable_file_is_never_stored():
    outcome = FileOutcome("taxi_fleet", "taxi_fleet/x_20250101.csv", "ab", None)
    outcome.status = "rejected"
    outcome.reason = "taxi_fleet/x_20250101.csv: unreadable: Permission denied"
    assert not version_store.storable(outcome)
    outcome.reason = "taxi_fleet/x_20250101.csv: column 车辆类别 missing"
    assert version_store.storable(outcome)


def test_run_full_asks_for_a_full_rebuild_through_the_run_tag(workspace, monkeypatch):
    """--full travels as the run's tag, so a run the UI launches with the same tag (or the
    daemon with GREENTRACK_FULL=1) is a full rebuild too; nothing is left in the environment."""
    import pipelines.runner
    from pipelines import cli

    seen = []
    monkeypatch.delenv("GREENTRACK_FULL", raising=False)

    def fake_run(allow_empty, progress="steps", full=False):
        seen.append(full)

    monkeypatch.setattr(pipelines.runner, "run_pipeline", fake_run)
    cli.main(["run", "--full"])
    cli.main(["run"])
    assert seen == [True, False]
    assert "GREENTRACK_FULL" not in os.environ


def test_full_rebuild_reads_the_tag_or_the_environment(monkeypatch):
    monkeypatch.delenv("GREENTRACK_FULL", raising=False)
    assert project.full_rebuild({"greentrack/full": "1"})
    assert not project.full_rebuild({"greentrack/full": "0"})
    assert not project.full_rebuild({})
    assert not project.full_rebuild(None)
    monkeypatch.setenv("GREENTRACK_FULL", "yes")
    assert project.full_rebuild({})


def test_a_run_tagged_full_ingests_again_what_the_store_holds(workspace, monkeypatch):
    monkeypatch.delenv("GREENTRACK_FULL", raising=False)
    _taxis(workspace / "data_raw")
    assets = [reference_tables, raw_taxi_fleet]
    materialise(assets, workspace / "first.duckdb")
    resources = {"duckdb": DuckDBResource(database=str(workspace / "tagged.duckdb"))}
    result = dg.materialize(assets, resources=resources, tags={"greentrack/full": "1"})
    assert result.success
    with duckdb.connect(str(workspace / "tagged.duckdb"), read_only=True) as tagged:
        assert _carried(tagged) == [("taxi_fleet/taxi_fleet_20251031.csv", False)]
    carried = materialise(assets, workspace / "carried.duckdb")
    assert _carried(carried) == [("taxi_fleet/taxi_fleet_20251031.csv", True)]


def test_a_stored_outcome_missing_a_part_is_not_trusted(workspace):
    _taxis(workspace / "data_raw")
    materialise([reference_tables, raw_taxi_fleet], workspace / "a.duckdb")
    (entry,) = [p for p in version_store.source_store("taxi_fleet").iterdir() if p.is_dir()]
    sha256, fingerprint = entry.name.split("-")
    name = "taxi_fleet/taxi_fleet_20251031.csv"
    assert version_store.load("taxi_fleet", sha256, fingerprint, name) is not None
    assert version_store.load("taxi_fleet", sha256, fingerprint, "taxi_fleet/other.csv") is None
    (entry / "quarantine.parquet").unlink()
    assert version_store.load("taxi_fleet", sha256, fingerprint, name) is None


def test_a_wave_is_carried_whole_or_read_whole(workspace):
    data_raw = workspace / "data_raw"
    _wave(data_raw, "2019")
    _wave(data_raw, "2024")
    materialise([reference_tables, raw_surveys], workspace / "a.duckdb")
    # a person added in 2024: the 2024 trips' orphan rule may now see other persons
    _wave(data_raw, "2024", persons=("H1,1,40,1,w,100", "H1,2,38,2,w,100", "H1,9,9,1,w,100"))
    con = materialise([reference_tables, raw_surveys], workspace / "b.duckdb")
    assert _carried(con) == [
        ("surveys/2019/households.csv", True),
        ("surveys/2019/persons.csv", True),
        ("surveys/2019/trips.csv", True),
        ("surveys/2024/households.csv", False),  # unchanged bytes, read with its wave
        ("surveys/2024/persons.csv", False),
        ("surveys/2024/trips.csv", False),
    ]
    # person 9 now exists: the 2024 trip that was quarantined is loaded
    assert rows(con, "select wave_id, count(*) from raw.survey_trips group by all order by 1") == [
        ("2019", 29),
        ("2024", 30),
    ]


def test_a_half_written_entry_is_removed_as_stale_work(workspace):
    from assets.publish.atomic import remove_stale_work

    half = version_store.source_store("registrations") / f"{version_store.TEMPORARY_PREFIX}x1"
    half.mkdir(parents=True)
    (half / "table-00.parquet").write_bytes(b"partial")
    kept = version_store.source_store("registrations") / "abc-123"
    kept.mkdir()
    assert remove_stale_work(project.work_warehouse_path()) == [half]
    assert not half.exists() and kept.exists()
