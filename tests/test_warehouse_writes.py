"""replace_table writes large frames in slices: same rows, same order, same types."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from pipelines import warehouse


def test_sliced_write_keeps_every_row_in_order_with_its_types(monkeypatch):
    monkeypatch.setattr(warehouse, "WRITE_SLICE_ROWS", 3)
    frame = pl.DataFrame(
        {
            "n": [1, 2, 3, 4, 5, 6, 7],
            "plate": ["a", None, "c", "d", "e", "f", "g"],
            "on": [dt.date(2025, 1, d) for d in range(1, 8)],
            "empty": pl.Series([None] * 7, dtype=pl.String),
        }
    )
    con = duckdb.connect()
    assert warehouse.replace_table(con, "scratch.t", frame) == 7
    rows = con.execute("select * from scratch.t").fetchall()
    assert rows == list(frame.iter_rows())
    types = con.execute(
        "select column_name, data_type from duckdb_columns() where table_name = 't' "
        "order by column_index"
    ).fetchall()
    assert types == [("n", "BIGINT"), ("plate", "VARCHAR"), ("on", "DATE"), ("empty", "VARCHAR")]


def test_an_empty_frame_still_creates_the_table(monkeypatch):
    monkeypatch.setattr(warehouse, "WRITE_SLICE_ROWS", 3)
    con = duckdb.connect()
    frame = pl.DataFrame(schema={"n": pl.Int64, "plate": pl.String})
    assert warehouse.replace_table(con, "scratch.t", frame) == 0
    assert con.execute("select count(*) from scratch.t").fetchall() == [(0,)]
    assert [c[0] for c in con.execute("describe scratch.t").fetchall()] == ["n", "plate"]
