"""The GTFS assets in-process: dg.materialize into a temp DuckDB from zips in a temp data_raw."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from assets.fleets.assets import raw_bus_fleet
from assets.gtfs.assets import GTFS_ASSETS
from assets.reference.assets import reference_tables
from pipelines.definitions import SQL_MODEL_ASSETS
from pipelines.warehouse import fetch_frame
from tests.conftest import TEST_KEY, materialise, rows
from tests.source_files import write_bus_ledger
from tests.test_gtfs_fixtures import SAMPLE_FEED, load_feeds, zip_feed

# The service metrics and bus-km by energy class are SQL models; the newest accepted bus
# ledger they read is a model over the ledger's audit.
BUS_KM_MODELS = [
    asset
    for asset in SQL_MODEL_ASSETS
    if asset.key.path[-1].startswith("int_gtfs__")
    or asset.key.path[-1]
    in (
        "stg_audit__accepted_files",
        "stg_bus_fleet__buses",
        "dim_gtfs_feed_version",
        "int_buses__energy_class",
        "fct_gtfs_route_service_daily",
        "fct_gtfs_feed_service_daily",
        "fct_gtfs_route_reconciliation",
        "gtfs_indicator_values",
    )
]
SAMPLE_ZIP = "taicang_mini_20250701.zip"
JULY_1 = dt.date(2025, 7, 1)


def _bus(fleet_no, route, powertrain, in_service_on, retired_on=None, status="运营"):
    plate = f"苏E{fleet_no[1:]:0>5}"
    return [
        fleet_no,
        plate,
        route,
        10.5,
        30,
        powertrain,
        in_service_on,
        retired_on,
        status,
        "太仓公交",
    ]


LEDGER = [
    _bus("B1", "101", "纯电动", dt.date(2019, 1, 1)),
    _bus("B2", "101", "纯电动", dt.date(2019, 1, 1)),
    _bus("B3", "101", "柴油", dt.date(2016, 1, 1)),
    _bus("B4", "101", "柴油", dt.date(2012, 1, 1), dt.date(2024, 1, 1), "报废"),
    _bus("B5", "102", "LNG", dt.date(2018, 1, 1)),
    _bus("B6", "205", "纯电动", dt.date(2020, 1, 1)),
    _bus("B7", None, "纯电动", dt.date(2020, 1, 1), status="备用"),
    _bus("B8", "102", "柴油", dt.date(2025, 8, 1)),
]


def _dangling_trip(name, text):
    return text.replace("R102,WK,T102_0710", "R999,WK,T102_0710") if name == "trips.txt" else text


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """One materialisation for the module: a good feed, its identical repost, a broken feed."""
    root = tmp_path_factory.mktemp("gtfs_assets")
    gtfs = root / "data_raw" / "gtfs"
    sample = zip_feed(SAMPLE_FEED, gtfs / SAMPLE_ZIP)
    (gtfs / "taicang_mini_repost_20250715.zip").write_bytes(sample.read_bytes())
    zip_feed(SAMPLE_FEED, gtfs / "taicang_broken_20250701.zip", edit=_dangling_trip)
    write_bus_ledger(root / "data_raw" / "bus_fleet" / "bus_fleet_20250630.xlsx", LEDGER)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("GREENTRACK_DATA_RAW", str(root / "data_raw"))
        monkeypatch.setenv("GREENTRACK_PSEUDONYM_KEY", TEST_KEY)
        con = materialise(
            [reference_tables, raw_bus_fleet, *BUS_KM_MODELS, *GTFS_ASSETS], root / "w.duckdb"
        )
    yield con
    con.close()


def test_every_zip_gets_one_audit_row_and_counts_add_up(warehouse):
    audit = rows(
        warehouse,
        "select file_name, status, rows_read, rows_loaded, rows_quarantined, warnings, reason "
        "from audit.source_files where source = 'gtfs' order by file_name",
    )
    sample_records = 1 + 3 + 13 + 7 + 40 + 3 + 2 + 5 + 1 + 1  # agency … frequencies
    assert [row[:6] for row in audit] == [
        ("gtfs/taicang_broken_20250701.zip", "rejected", 0, 0, 0, 0),
        ("gtfs/taicang_mini_20250701.zip", "accepted", sample_records, sample_records, 0, 0),
        ("gtfs/taicang_mini_repost_20250715.zip", "accepted", 0, 0, 0, 1),
    ]
    assert audit[0][6] == (
        "gtfs/taicang_broken_20250701.zip: GTFS rule foreign_key_violation broken in trips.txt "
        "row 11 field route_id: route_id R999 is not in routes.txt"
    )


def test_only_the_accepted_version_is_loaded_once(warehouse):
    assert rows(
        warehouse,
        "select feed_name, _source_file, count(*) from raw.gtfs_trips group by all",
    ) == [("taicang_mini", "gtfs/taicang_mini_20250701.zip", 13)]
    assert rows(warehouse, "select count(*), min(_extra) from raw.gtfs_routes") == [
        (3, '{"route_sort_order":"1"}')
    ]


def test_feed_version_dimension(warehouse):
    assert rows(
        warehouse,
        "select feed_name, files, file_date, status, feed_info_version, service_start_date, "
        "service_end_date, error_notices, warning_notices, valid_to, is_newest "
        "from marts.dim_gtfs_feed_version order by feed_name",
    ) == [
        ("taicang_broken", 1, JULY_1, "rejected", None, None, None, 1, 0, None, False),
        (
            "taicang_mini",
            2,
            JULY_1,
            "accepted",
            "2025.07",
            JULY_1,
            dt.date(2025, 12, 31),
            0,
            1,
            None,
            True,
        ),
    ]


def test_notices_name_rule_severity_file_row_and_field(warehouse):
    assert rows(
        warehouse,
        "select source_file, code, severity, file, row, field "
        "from marts.fct_gtfs_validation_notices order by source_file",
    ) == [
        (
            "gtfs/taicang_broken_20250701.zip",
            "foreign_key_violation",
            "ERROR",
            "trips.txt",
            11,
            "route_id",
        ),
        (
            "gtfs/taicang_mini_repost_20250715.zip",
            "duplicate_feed_file",
            "WARNING",
            None,
            None,
            None,
        ),
    ]
    assert rows(
        warehouse, "select severity, count(*) from marts.dim_gtfs_rule group by all order by 1"
    ) == [
        ("ERROR", 25),
        ("WARNING", 5),
    ]


def test_service_marts_cover_three_day_types(warehouse):
    assert rows(
        warehouse,
        "select day_type, service_date, routes, trips from marts.fct_gtfs_feed_service_daily "
        "order by day_type",
    ) == [
        ("saturday", dt.date(2025, 7, 5), 1, 3),
        ("sunday", dt.date(2025, 7, 6), 1, 1),
        ("weekday", JULY_1, 3, 14),
    ]


def test_bus_km_clean_share_indicator_row(warehouse):
    (row,) = rows(warehouse, "select * from metrics.gtfs_indicator_values")
    # 101: 102 km, buses B1 B2 (electric) B3 (diesel; B4 retired) → 68 clean km
    # 102: 25.89 km, bus B5 (LNG; B8 starts later) → all clean; S1 has no bus: left out
    clean_km, all_km = 102 * 2 / 3 + 25.889136, 102 + 25.889136
    assert row[:3] == ("bus_km_clean_share", "2025-07-01", JULY_1)
    assert row[3:6] == pytest.approx((clean_km / all_km, clean_km, all_km), rel=1e-6)
    assert row[6:] == (2, None, None)


def test_indicator_table_has_exactly_the_columns_of_indicator_values(warehouse):
    assert rows(
        warehouse, "select column_name, column_type from (describe metrics.gtfs_indicator_values)"
    ) == [
        ("indicator_id", "VARCHAR"),
        ("period", "VARCHAR"),
        ("period_end", "DATE"),
        ("value", "DOUBLE"),
        ("numerator", "DOUBLE"),
        ("denominator", "DOUBLE"),
        ("sample_size", "BIGINT"),
        ("ci_low", "DOUBLE"),
        ("ci_high", "DOUBLE"),
    ]


def test_gtfs_assets_declare_their_upstream():
    definitions = dg.Definitions(
        assets=[reference_tables, raw_bus_fleet, *BUS_KM_MODELS, *GTFS_ASSETS],
        resources={"duckdb": DuckDBResource(database=":memory:")},
    )
    graph = definitions.resolve_asset_graph()
    parents = graph.get(dg.AssetKey(["metrics", "gtfs_indicator_values"])).parent_keys
    assert parents == {dg.AssetKey(["marts", "fct_gtfs_route_reconciliation"])}
    reconciliation = graph.get(dg.AssetKey(["marts", "fct_gtfs_route_reconciliation"])).parent_keys
    assert reconciliation == {
        dg.AssetKey(["intermediate", "int_buses__energy_class"]),
        dg.AssetKey(["intermediate", "int_gtfs__feed_versions_in_effect"]),
        dg.AssetKey(["marts", "fct_gtfs_route_service_daily"]),
    }
    in_effect = dg.AssetKey(["intermediate", "int_gtfs__feed_versions_in_effect"])
    assert graph.get(in_effect).parent_keys == {dg.AssetKey(["marts", "dim_gtfs_feed_version"])}
    profiles = dg.AssetKey(["intermediate", "int_gtfs__trip_profiles"])
    assert dg.AssetKey(["raw", "gtfs_stop_times"]) in graph.get(profiles).parent_keys
    # the Python step reading a model waits for it, and the model reading its table for it
    units = dg.AssetKey(["intermediate", "int_gtfs__sdt_units"])
    assert graph.get(units).parent_keys == {profiles}
    trip_km = graph.get(dg.AssetKey(["intermediate", "int_gtfs__trip_km"])).parent_keys
    assert {units, dg.AssetKey(["intermediate", "int_gtfs__shape_km"])} <= trip_km


def test_route_reconciliation_lists_findings(warehouse):
    assert rows(
        warehouse,
        "select route, match_status, buses, new_energy_buses, clean_energy_buses, "
        "conventional_buses from marts.fct_gtfs_route_reconciliation order by route",
    ) == [
        ("101", "matched", 3, 2, 0, 1),
        ("102", "matched", 1, 0, 1, 0),
        ("205", "ledger_route_not_in_gtfs", 1, 1, 0, 0),
        ("S1", "gtfs_route_without_bus", 0, 0, 0, 0),
    ]


@pytest.fixture(scope="module")
def generated_2020_feed(tmp_path_factory):
    generate = pytest.importorskip(
        "pipelines.generate", reason="pipelines/generate not written yet"
    )
    if not hasattr(generate, "generate_all"):
        pytest.skip("pipelines.generate has no generate_all yet (another engineer is writing it)")
    out = tmp_path_factory.mktemp("generated")
    generate.generate_all(out, scale=1.0)
    path = out / "gtfs" / "taicang_bus_20200615.zip"
    if not path.exists():
        pytest.skip(f"generate_all wrote no {path.name}")
    return path


def test_generated_2020_feed_has_80_routes_and_48200_weekday_bus_km(generated_2020_feed):
    from assets.gtfs.service_tables import FEED_DAILY, build_service_tables

    con = load_feeds([generated_2020_feed], generated_2020_feed.parent.parent)
    build_service_tables(con)
    feed = fetch_frame(con, f"select * from {FEED_DAILY}")
    weekday = feed.filter(feed["day_type"] == "weekday").row(0, named=True)
    assert weekday["routes"] == pytest.approx(80, rel=0.05)
    assert weekday["bus_km"] == pytest.approx(48_200, rel=0.05)


def test_no_feeds_still_builds_every_table_empty(workspace):
    con = materialise(
        [reference_tables, raw_bus_fleet, *BUS_KM_MODELS, *GTFS_ASSETS], workspace / "w.duckdb"
    )
    tables = [
        "raw.gtfs_stop_times",
        "marts.fct_gtfs_validation_notices",
        "marts.dim_gtfs_feed_version",
        "marts.fct_gtfs_route_service_daily",
        "marts.fct_gtfs_feed_service_daily",
        "marts.fct_gtfs_route_reconciliation",
        "metrics.gtfs_indicator_values",
    ]
    assert [rows(con, f"select count(*) from {table}")[0][0] for table in tables] == [0] * 7
    con.close()
