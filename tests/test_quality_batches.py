"""Frames handed to Great Expectations: large Arrow chunks are kept as they are, small ones
combined, and GX decides the same either way."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa

from assets.quality import batches
from assets.quality.gx_runner import GxRunner
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
