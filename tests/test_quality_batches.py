"""Frames handed to Great Expectations: large Arrow chunks are kept as they are, small ones
combined, and GX decides the same either way."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa

from assets.quality import batches
from assets.quality.gx_adapter import GxRunner
from assets.quality.suite_builder import ExpectationSpec, build_expectation

ROWS_PER_CHUNK = 12_000  # above batches.SMALL_CHUNK_ROWS: a large chunk


def _chunk(start: int, rows: int) -> pa.RecordBatch:
    hexes = [None if i % 1000 == 7 else f"{i:064x}" for i in range(start, start + rows)]
    hexes[3] = "not a pseudonym"  # one bad value in each chunk
    return pa.record_batch(
        {
            "pseudonym": pa.array(hexes, pa.string()),
            "_row_number": pa.array(range(start, start + rows), pa.int64()),
            "seen_on": pa.array([dt.date(2025, 1, 1 + i % 28) for i in range(rows)], pa.date32()),
        }
    )


def _table(chunks: int, rows: int) -> pa.Table:
    return pa.Table.from_batches([_chunk(n * rows, rows) for n in range(chunks)])


def _regex_result(frame: pd.DataFrame):
    spec = ExpectationSpec(
        "expect_column_values_to_match_regex",
        {"column": "pseudonym", "regex": "^[0-9a-f]{64}$"},
        "ERROR",
    )
    (result,) = GxRunner("test").run([build_expectation(spec, spec.kwargs, 0)], frame)
    return result.success, result.result["unexpected_count"], result.result["element_count"]


def test_large_chunks_are_kept_and_small_ones_combined():
    large = batches._to_pandas(_table(3, ROWS_PER_CHUNK), compound=False)
    assert large["pseudonym"].array._pa_array.num_chunks == 3
    small = batches._to_pandas(_table(3, 500), compound=False)
    assert small["pseudonym"].array._pa_array.num_chunks == 1


def test_gx_decides_the_same_on_kept_and_combined_chunks():
    table = _table(3, ROWS_PER_CHUNK)
    kept = batches._to_pandas(table, compound=False)
    combined = batches._to_pandas(table.combine_chunks(), compound=False)
    pd.testing.assert_frame_equal(kept, combined)
    # 3 bad values (one per chunk); the 36 nulls (i % 1000 == 7) are not unexpected
    assert _regex_result(kept) == _regex_result(combined) == (False, 3, 36_000)


class _Result:
    """The parts of a GX result merge_slices reads."""

    def __init__(self, elements, missing, unexpected, values=(), success=True):
        self.success, self.exception_info = success, {}
        self.result = {
            "element_count": elements,
            "missing_count": missing,
            "unexpected_count": unexpected,
            "partial_unexpected_list": list(values),
        }


def test_mostly_is_judged_on_the_summed_counts_not_slice_by_slice():
    from assets.quality.validate import merge_slices

    # slice 1: 3 unexpected of 100 (97 % < 99 %: fails alone); slice 2: 0 of 900 with
    # 50 missing. Whole: 3 unexpected of 1000 − 50 = 950 considered → 99.68 % ≥ 99 %.
    parts = [_Result(100, 0, 3, ["a", "b", "c"], success=False), _Result(900, 50, 0)]
    merged = merge_slices(parts, [["a", "b", "c"], []], mostly=0.99)
    assert merged.success
    assert merged.result == {
        "element_count": 1000,
        "missing_count": 50,
        "unexpected_count": 3,
        "partial_unexpected_list": ["a", "b", "c"],
    }
    # without `mostly` any unexpected value fails, and every slice's sample is kept
    assert not merge_slices(parts[:1] + [_Result(10, 0, 1, ["d"])], [["a"], ["d"]], 1.0).success
    assert merge_slices(parts, [["a"], ["d"]], 1.0).result["partial_unexpected_list"] == ["a", "d"]
    # nothing to consider (every value missing): vacuously true, as GX says
    assert merge_slices([_Result(5, 5, 0), _Result(4, 4, 0)], [[], []], 1.0).success


def test_uniqueness_slices_keep_equal_keys_together(monkeypatch):
    import duckdb

    con = duckdb.connect()
    # 40 rows, keys 0..19 twice: the copies sit 20 rowids apart, so rowid ranges of 10 would
    # split every pair; hash slices never do
    con.execute("create table t as select i % 20 as k, i as n from range(40) as r(i)")
    assert batches.slice_predicates(con, "t", 40, ("k",)) == [""]  # below SLICE_ROWS: whole
    monkeypatch.setattr(batches, "SLICE_ROWS", 10)
    by_key = batches.slice_predicates(con, "t", 40, ("k",))
    by_rowid = batches.slice_predicates(con, "t", 40, None)
    assert len(by_key) == len(by_rowid) == 4
    sizes = [con.execute(f"select count(*) from t where {p}").fetchone()[0] for p in by_rowid]
    assert sizes == [10, 10, 10, 10]
    for predicate in by_key:
        keys = con.execute(f"select k, count(*) from t where {predicate} group by k").fetchall()
        assert all(count == 2 for _, count in keys)
    covered = sum(con.execute(f"select count(*) from t where {p}").fetchone()[0] for p in by_key)
    assert covered == 40


def test_a_group_with_an_aggregate_expectation_is_never_sliced(monkeypatch):
    import duckdb

    con = duckdb.connect()
    con.execute("create table t as select i as n from range(40) as r(i)")
    monkeypatch.setattr(batches, "SLICE_ROWS", 10)
    mean = ExpectationSpec(
        "expect_column_mean_to_be_between", {"column": "n", "min_value": 19}, "ERROR"
    )
    not_null = ExpectationSpec("expect_column_values_to_not_be_null", {"column": "n"}, "ERROR")
    types = {"n": "BIGINT"}
    whole = list(
        batches.domain_batches(con, "t", types, [(0, mean, None), (1, not_null, None)], 40)
    )
    assert [(b.slices, b.where) for b in whole] == [(1, "")]  # mean 19.5 needs every row
    alone = list(batches.domain_batches(con, "t", types, [(1, not_null, None)], 40))
    assert [b.slices for b in alone] == [4, 4, 4, 4]
