"""The metric hash is a function of the published values: the last-bit noise of a sum DuckDB
computes on several threads does not change it, a real change of any value does."""

from __future__ import annotations

import duckdb
import pytest

from assets.publish.history import metric_hashes


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        connection.execute("create schema metrics")
        yield connection


def _hash_of(con, sql: str) -> str:
    con.execute(f"create or replace table metrics.t as {sql}")
    return metric_hashes(con)["t"]


def test_floating_point_noise_keeps_the_hash_and_a_real_change_does_not(con):
    noisy = _hash_of(con, "select 0.1::double + 0.2::double as v, 1 as n, 'a' as s")
    assert _hash_of(con, "select 0.3::double as v, 1 as n, 'a' as s") == noisy
    assert _hash_of(con, "select 0.3000001::double as v, 1 as n, 'a' as s") != noisy
    assert _hash_of(con, "select 0.3::double as v, 2 as n, 'a' as s") != noisy
    assert _hash_of(con, "select 0.3::double as v, 1 as n, 'b' as s") != noisy
    assert _hash_of(con, "select null::double as v, 1 as n, 'a' as s") != noisy


def test_row_order_does_not_matter_but_a_moved_value_does(con):
    both = _hash_of(con, "select * from (values (1, 'x'), (2, 'y')) t (n, s)")
    assert _hash_of(con, "select * from (values (2, 'y'), (1, 'x')) t (n, s)") == both
    assert _hash_of(con, "select * from (values (1, 'y'), (2, 'x')) t (n, s)") != both
