"""Every schema commented, Chinese with English, and the dictionary page generated from the
comments."""

from __future__ import annotations

import re

import duckdb
import pytest

from assets.dashboards.dictionary import dictionary_rows, render_dictionary
from assets.dashboards.labels import Words
from assets.dashboards.views import read_views
from assets.warehouse.comments import (
    add_chinese_names,
    chinese_names,
    comment_warehouse,
    warehouse_docs,
)
from assets.warehouse.sql_models import read_sql_dir
from pipelines import project

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def con():
    with duckdb.connect() as con:
        con.execute("create schema raw; create schema audit; create schema marts")
        con.execute("create table raw.taxi_fleet (_source_file varchar, company varchar)")
        con.execute("create table raw.gtfs_stops (stop_id varchar, stop_lat varchar)")
        con.execute("create table audit.runs (run_id varchar, mystery_column integer)")
        con.execute("create table marts.dim_x (a integer)")
        con.execute("comment on table marts.dim_x is 'a mart <b>'")
        con.execute("comment on column marts.dim_x.a is 'set by the model'")
        yield con


def comments(con) -> dict[str, str | None]:
    rows = con.execute(
        "select schema_name || '.' || table_name || '.' || column_name, comment "
        "from duckdb_columns() where database_name = current_database()"
    ).fetchall()
    return dict(rows)


def test_every_documented_column_is_commented_and_the_rest_is_named(con):
    missing = comment_warehouse(con)
    assert missing == ["audit.runs.mystery_column"]
    got = comments(con)
    assert got["raw.taxi_fleet._source_file"].startswith("source file (path under data_raw/)")
    assert got["raw.taxi_fleet.company"] == "经营者 taxi company"
    assert got["raw.gtfs_stops.stop_lat"] == "GTFS field stop_lat of stops.txt, as text"
    assert got["marts.dim_x.a"] == "set by the model"  # an existing comment is kept
    tables = dict(
        con.execute(
            "select schema_name || '.' || table_name, comment from duckdb_tables()"
        ).fetchall()
    )
    assert tables["raw.taxi_fleet"].startswith("出租汽车登记原始数据 Taxi register")
    assert tables["marts.dim_x"] == "a mart <b>"


def test_the_dictionary_lists_every_column_with_its_comment(con):
    comment_warehouse(con)
    rows = dictionary_rows(con)
    assert len(rows) == 7
    html = render_dictionary(rows, Words("zh"))
    for row in rows:
        assert f"<code>{row['column']}</code>" in html
    assert "<td>经营者 taxi company</td>" in html and "a mart &lt;b&gt;" in html
    assert "原始数据 source rows as delivered" in html  # the schema, in both languages
    assert "列 Column" in html and "说明 Description" in html
    assert html.index("id='raw'") < html.index("id='marts'") < html.index("id='audit'")


def test_english_only_dictionary_drops_the_chinese_names(con):
    comment_warehouse(con)
    html = render_dictionary(dictionary_rows(con), Words("en"))
    assert "<td>taxi company</td>" in html and "<p>Taxi register" in html
    assert "经营者" not in html and "出租汽车登记原始数据" not in html


def test_a_view_is_in_the_dictionary_with_its_chinese_name():
    """The dashboard's views (what each chart shows) are documented like the tables."""
    with duckdb.connect() as con:
        con.execute("create schema metrics; create schema dashboard")
        con.execute("create table metrics.target_gap (status varchar)")
        con.execute("create view dashboard.target_gap as select status from metrics.target_gap")
        con.execute("comment on view dashboard.target_gap is 'the bullet charts'")
        con.execute("comment on column dashboard.target_gap.status is 'met or not'")
        add_chinese_names(con)
        rows = dictionary_rows(con)
    view = [row for row in rows if row["schema"] == "dashboard"]
    assert [(row["table"], row["column"], row["comment"]) for row in view] == [
        ("target_gap", "status", "状态 met or not")
    ]
    assert view[0]["table_comment"] == "看板·目标差距 the bullet charts"
    html = render_dictionary(rows, Words("zh"))
    assert "id='dashboard.target_gap'" in html and "看板视图 one view per dashboard" in html


def table_comment(con, name: str) -> str:
    schema, table = name.split(".")
    return con.execute(
        "select comment from duckdb_tables() where schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone()[0]


def test_chinese_names_go_before_the_english_once():
    with duckdb.connect() as con:
        con.execute("create schema metrics; create schema marts")
        con.execute("create table metrics.target_gap (gap_pp double, status varchar, x int)")
        con.execute("create table marts.dim_bus_history (in_service_on date)")
        con.execute("create table marts.dim_x (gap_pp double)")
        con.execute("comment on table metrics.target_gap is 'How far each target is'")
        con.execute("comment on column metrics.target_gap.gap_pp is 'gap in points'")
        con.execute("comment on column metrics.target_gap.x is 'no Chinese name'")
        con.execute("comment on column marts.dim_bus_history.in_service_on is '投运日期 date'")
        add_chinese_names(con)
        add_chinese_names(con)  # a second pass changes nothing
        assert table_comment(con, "metrics.target_gap") == "目标差距 How far each target is"
        assert table_comment(con, "marts.dim_x") is None  # no comment: none added
        got = comments(con)
    assert got["metrics.target_gap.gap_pp"] == "差距(百分点) gap in points"
    assert got["metrics.target_gap.status"] is None
    assert got["metrics.target_gap.x"] == "no Chinese name"
    assert got["marts.dim_bus_history.in_service_on"] == "投运日期 date"  # already had it
    assert got["marts.dim_x.gap_pp"] is None


def warehouse_tables() -> dict[str, list[str]]:
    """Every table the pipeline documents → its documented columns (for the SQL models and
    the declarations of tables built in Python; the dashboard views and the tables of
    warehouse_docs.yaml, documented column by column name, map to [])."""
    tables = {m.qualified_name: list(m.column_docs) for m in read_sql_dir(project.SQL_DIR)}
    views = {view.qualified_name: [] for view in read_views().values()}
    return tables | views | {name: [] for name in warehouse_docs()["tables"]}


def test_every_table_and_every_marts_and_metrics_column_has_a_chinese_name():
    tables = warehouse_tables()
    names = chinese_names()
    assert sorted(set(tables) - set(names["tables"])) == []
    assert sorted(set(names["tables"]) - set(tables)) == []  # no name of a table gone
    analysts = {
        column
        for table, columns in tables.items()
        if table.split(".")[0] in ("marts", "metrics")
        for column in columns
    }
    assert len(analysts) > 150
    assert sorted(analysts - set(names["columns"])) == []
    every_name = [*names["tables"].values(), *names["columns"].values()]
    assert [name for name in every_name if not CJK.search(name)] == []
