"""Great Expectations 1.x plumbing: an in-memory context and one validation per batch.

Batches are pandas frames fetched from DuckDB through Arrow with Arrow-backed dtypes, so a
nullable integer column stays an integer and dates stay dates (GX reports their Python
types: int, float, str, date, bool, Decimal). GX's SQL datasource over duckdb_engine
returns empty metric results, so nothing here talks SQL to GX.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import great_expectations as gx
import pandas as pd
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.execution_engine import pandas_execution_engine
from great_expectations.expectations.expectation import Expectation

from assets.quality.suite_builder import build_gx_suite

# GX fingerprints every in-memory batch under HASH_THRESHOLD bytes (1 GB) with
# pandas.util.hash_pandas_object, a batch marker nobody reads here: lineage is each file's
# sha256 in audit.source_files. On Arrow-backed frames that hash walks dates and long
# strings value by value in Python: 20 of the 24 s of marts.dim_vehicle at scale 10. GX's own
# threshold is lowered so no batch is fingerprinted (tests/test_quality_checks.py checks the
# knob still exists and that results carry no fingerprint).
pandas_execution_engine.HASH_THRESHOLD = 0

# GX's `Expectation.configuration` is a property that rebuilds an ExpectationConfiguration
# (pydantic `.dict()`, camel_to_snake of the class name) on every read, and one validation
# reads it ~70 times per expectation: a quarter of GX's time on the small tables of a
# scale-1 run (every models suite; 5.0-5.6 s -> 3.8-4.3 s for all 23 suites). While a batch
# is validated, nothing changes an expectation, so each expectation's configuration is built
# once (`configurations_built_once`, only around `Batch.validate`, GX's own property put back
# after; tests/test_quality_batches.py compares results with and without it).
_GX_CONFIGURATION = Expectation.__dict__["configuration"]


@contextmanager
def configurations_built_once() -> Iterator[None]:
    """Within the block, `expectation.configuration` is built on the first read and reused."""
    built: dict[int, tuple[Expectation, object]] = {}  # id → (expectation kept alive, config)

    def configuration(expectation: Expectation):
        entry = built.get(id(expectation))
        if entry is None or entry[0] is not expectation:
            entry = built[id(expectation)] = (expectation, _GX_CONFIGURATION.fget(expectation))
        return entry[1]

    Expectation.configuration = property(configuration, doc=_GX_CONFIGURATION.__doc__)
    try:
        yield
    finally:
        Expectation.configuration = _GX_CONFIGURATION
        built.clear()


RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 20}


def gx_context():
    """An in-memory GX context: nothing written to disk, no analytics, no progress bars."""
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def fetch_pandas(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.sql(sql).to_arrow_table().to_pandas(types_mapper=pd.ArrowDtype)


class GxRunner:
    """One ephemeral context per suite run; each batch validated with `Batch.validate`.

    `Batch.validate(suite)` runs the same V1 validator as a `ValidationDefinition`, without
    adding the suite, the definition and the result to the context's stores first: nothing
    here reads those stores (results go to quality.validation_results), and on a 25-row frame
    the three store writes cost a third of the validation.
    """

    def __init__(self, suite: str):
        self.context, self.suite, self.count, self.seconds = gx_context(), suite, 0, 0.0
        asset = self.context.data_sources.add_pandas("warehouse").add_dataframe_asset("frame")
        self.batch = asset.add_batch_definition_whole_dataframe("whole")

    def run(self, expectations: list, frame: pd.DataFrame):
        started = time.perf_counter()
        self.count += 1
        suite = build_gx_suite(f"{self.suite}#{self.count}", expectations)
        batch = self.batch.get_batch(batch_parameters={"dataframe": frame})
        with configurations_built_once():
            result = batch.validate(suite, result_format=RESULT_FORMAT)
        self.seconds += time.perf_counter() - started
        return sorted(result.results, key=lambda r: r.expectation_config.meta["index"])
