"""The page's reads as views of schema dashboard (dbt_like_sql/dashboard/, views.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from assets.dashboards.assets import DASHBOARD_DEPS
from assets.dashboards.reads import read_all
from assets.dashboards.views import VIEW_DIR, create_views, read_view, read_views
from assets.warehouse.sql_models import MODEL_SCHEMAS, read_sql_dir
from pipelines import project
from tests.test_dashboard_asset import _feed_versions, _gtfs_daily, _gtfs_values, _validation
from tests.test_dashboard_fixtures import TABLES, build_warehouse

EVERY_TABLE = {  # the fixture tables and the optional ones, so that every view can be created
    **TABLES,
    "marts.fct_gtfs_feed_service_daily": _gtfs_daily,
    "marts.dim_gtfs_feed_version": _feed_versions,
    "metrics.gtfs_indicator_values": _gtfs_values,
    "quality.validation_results": _validation,
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("views") / "w.duckdb", EVERY_TABLE)


def test_the_deps_are_the_model_tables_the_views_read():
    assert sorted(DASHBOARD_DEPS) == [
        ["intermediate", "int_targets__trend"],
        ["marts", "dim_gtfs_feed_version"],
        ["marts", "fct_bus_fleet_monthly"],
        ["marts", "fct_gtfs_feed_service_daily"],
        ["marts", "fct_new_public_vehicles_yearly"],
        ["marts", "fct_survey_breakdowns"],
        ["marts", "fct_survey_mode_share"],
        ["marts", "fct_survey_mode_split"],
        ["marts", "fct_taxi_fleet_monthly"],
        ["metrics", "fleet_co2_monthly"],
        ["metrics", "gtfs_indicator_values"],
        ["metrics", "indicator_values"],
        ["metrics", "target_gap"],
        ["metrics", "target_gap_co2"],
        ["staging", "stg_audit__accepted_files"],
    ]


def test_the_view_folder_is_not_a_model_layer():
    assert VIEW_DIR.name not in MODEL_SCHEMAS
    assert not [m for m in read_sql_dir(project.SQL_DIR) if m.path.parent == VIEW_DIR]


def test_every_view_column_is_documented_or_passed_through(warehouse):
    with duckdb.connect(str(warehouse)) as con:
        assert create_views(con, read_views()) == {}
        for view in read_views().values():
            columns = con.execute(
                "select column_name from duckdb_columns() "
                "where schema_name = 'dashboard' and table_name = ?",
                [view.name],
            ).fetchall()
            source = con.execute(
                "select column_name from duckdb_columns() "
                "where schema_name || '.' || table_name = ?",
                [view.passes_through],
            ).fetchall()
            undocumented = {c for (c,) in columns} - set(view.column_docs) - {c for (c,) in source}
            assert not undocumented, view.name
            assert set(view.column_docs) <= {c for (c,) in columns}, view.name


def test_a_view_carries_its_header_and_the_passed_through_comments(tmp_path):
    (tmp_path / "doubled.sql").write_text(
        "-- Each value doubled.\n-- grain: one row per id\n-- passes through: marts.t\n"
        "-- columns:\n--   twice: value × 2\n\nselect *, value * 2 as twice from marts.t\n",
        encoding="utf-8",
    )
    view = read_view(tmp_path / "doubled.sql")
    with duckdb.connect() as con:
        con.execute("create schema marts; create table marts.t (id int, value int, note text)")
        con.execute("comment on column marts.t.value is 'the value'")
        assert create_views(con, {"doubled": view}) == {}
        comments = con.execute(
            "select column_name, comment from duckdb_columns() where schema_name = 'dashboard' "
            "order by column_index"
        ).fetchall()
        table_comment = con.execute(
            "select comment from duckdb_views() where view_name = 'doubled'"
        ).fetchall()
    # id and note have no comment upstream: the publish step fills them by column name
    assert comments == [
        ("id", None),
        ("value", "the value"),
        ("note", None),
        ("twice", "value × 2"),
    ]
    assert table_comment == [
        ("Each value doubled.\ngrain: one row per id\npasses through: marts.t",)
    ]


def test_the_page_reads_rows_in_the_order_the_header_states(tmp_path):
    (tmp_path / "ordered.sql").write_text(
        "-- Rows.\n-- order by: id desc\n\nselect * from marts.t\n", encoding="utf-8"
    )
    view = read_view(tmp_path / "ordered.sql")
    with duckdb.connect() as con:
        con.execute("create schema marts; create table marts.t as select * from range(5) r(id)")
        con.execute("insert into marts.t values (7), (2)")
        frame = read_all(con, {"ordered": view}).get("ordered")
    assert frame["id"].to_list() == [7, 4, 3, 2, 2, 1, 0]


def test_a_missing_mart_omits_its_part_with_a_note_naming_it(tmp_path):
    tables = {n: f for n, f in TABLES.items() if n != "marts.fct_survey_mode_share"}
    with duckdb.connect(str(build_warehouse(tmp_path / "w.duckdb", tables))) as con:
        reads = read_all(con)
    assert reads.get("survey_modes") is None
    assert reads.missing["survey_modes"] == "marts.fct_survey_mode_share absent"
    assert reads.get("survey_mode_split").height > 0  # the rest draws
    assert reads.get("bus_fleet").height > 0


def test_the_views_work_in_the_published_file_under_its_final_name(warehouse, tmp_path):
    work = tmp_path / "green_transport.duckdb.work"
    work.write_bytes(warehouse.read_bytes())
    with duckdb.connect(str(work)) as con:
        create_views(con, read_views())
        expected = read_all(con).get("bus_fleet")
    published = work.rename(tmp_path / "green_transport.duckdb")
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            "select * from dashboard.bus_fleet order by period, powertrain, energy_class"
        ).fetchall()
        comment = con.execute(
            "select comment from duckdb_views() where view_name = 'bus_fleet'"
        ).fetchall()
    assert rows == list(expected.sort("period", "powertrain", "energy_class").iter_rows())
    assert comment[0][0].startswith("Buses in service per month")
