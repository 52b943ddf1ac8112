"""Every schema commented, and the dictionary page generated from the comments."""

from __future__ import annotations

import duckdb
import pytest

from assets.dashboards.dictionary import dictionary_rows, render_dictionary
from assets.dashboards.labels import Words
from assets.warehouse.comments import comment_warehouse


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
    assert got["raw.taxi_fleet.company"] == "taxi company"
    assert got["raw.gtfs_stops.stop_lat"] == "GTFS field stop_lat of stops.txt, as text"
    assert got["marts.dim_x.a"] == "set by the model"  # an existing comment is kept
    tables = dict(
        con.execute(
            "select schema_name || '.' || table_name, comment from duckdb_tables()"
        ).fetchall()
    )
    assert tables["raw.taxi_fleet"].startswith("Taxi register")
    assert tables["marts.dim_x"] == "a mart <b>"


def test_the_dictionary_lists_every_column_with_its_comment(con):
    comment_warehouse(con)
    rows = dictionary_rows(con)
    assert len(rows) == 7
    html = render_dictionary(rows, Words("zh"))
    for row in rows:
        assert f"<code>{row['column']}</code>" in html
    assert "<td>taxi company</td>" in html and "a mart &lt;b&gt;" in html
    assert "原始数据 source rows as delivered" in html  # the schema, in both languages
    assert "列 Column" in html and "说明 Description" in html
    assert html.index("id='raw'") < html.index("id='marts'") < html.index("id='audit'")
