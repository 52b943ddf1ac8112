"""The one module that talks to Great Expectations 1.x: every GX import of the project is here.

What the rest of the quality code needs from GX: build an expectation from its YAML type and
kwargs (`expectation`), validate a list of expectations on a pandas frame (`GxRunner`), and
GX's `mostly` rule to merge the results of row slices (`mostly_success`).

Batches are pandas frames fetched from DuckDB through Arrow with Arrow-backed dtypes, so a
nullable integer column stays an integer and dates stay dates (GX reports their Python
types: int, float, str, date, bool, Decimal). GX's SQL datasource over duckdb_engine
returns empty metric results, so nothing here talks SQL to GX.

Two reliances go beyond GX's public API. Both are kept because the public API has no knob
for them and the quality stage is much slower without them (figures: benchmarks/README.md).
GX is therefore pinned: the exact version in requirements.lock, a compatible-release bound
in pyproject.toml. tests/test_quality_gx_adapter.py fails if GX stops honouring either:

- **No batch fingerprint.** GX's pandas engine fingerprints every batch smaller than its
  module constant `HASH_THRESHOLD` with `pandas.util.hash_pandas_object`, a batch marker
  nothing here reads (lineage is each file's sha256 in audit.source_files). On Arrow-backed
  frames that hash walks dates and long strings value by value in Python. The threshold is
  set to 0 when this module is imported, so no batch is fingerprinted.
- **Each expectation's configuration built once per validation.** `Expectation.configuration`
  is a property that rebuilds an ExpectationConfiguration (pydantic `.dict()`, the snake
  name of the class) on every read, and GX reads it dozens of times per expectation while
  validating. Nothing changes an expectation during `Batch.validate`, so inside
  `configurations_built_once` the property builds on the first read and reuses; GX's own
  property is put back after the block.

The `mostly` rule is restated here (`mostly_success`) rather than imported from GX's private
helper; the tests compare it with GX's own verdict on frames at the rule's edges.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

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
from great_expectations.expectations.registry import get_expectation_impl

pandas_execution_engine.HASH_THRESHOLD = 0  # no batch fingerprint: see the module docstring

_GX_CONFIGURATION = Expectation.__dict__["configuration"]

RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 20}


@dataclass
class ConfigurationReads:
    """How often GX read `expectation.configuration` inside the block, and how many were built."""

    reads: int = 0
    builds: int = 0


@contextmanager
def configurations_built_once() -> Iterator[ConfigurationReads]:
    """Within the block, `expectation.configuration` is built on the first read and reused."""
    built: dict[int, tuple[Expectation, object]] = {}  # id → (expectation kept alive, config)
    counts = ConfigurationReads()

    def configuration(expectation: Expectation):
        counts.reads += 1
        entry = built.get(id(expectation))
        if entry is None or entry[0] is not expectation:
            counts.builds += 1
            entry = built[id(expectation)] = (expectation, _GX_CONFIGURATION.fget(expectation))
        return entry[1]

    Expectation.configuration = property(configuration, doc=_GX_CONFIGURATION.__doc__)
    try:
        yield counts
    finally:
        Expectation.configuration = _GX_CONFIGURATION
        built.clear()


def expectation(type_: str, kwargs: dict, severity: str, meta: dict) -> Expectation:
    """One GX expectation of the named type (`expect_...`); GX checks the kwargs."""
    return get_expectation_impl(type_)(**kwargs, severity=severity, meta=meta)


def is_expectation(value: object) -> bool:
    return isinstance(value, Expectation)


def mostly_success(considered: int, unexpected: int, mostly: float) -> bool:
    """GX's verdict for a map expectation with `mostly` over `considered` non-null rows."""
    return (float(considered) - float(unexpected)) / float(considered) >= mostly


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
    here reads those stores (results go to quality.validation_results), and on a small frame
    the three store writes are a large share of the validation.
    """

    def __init__(self, suite: str, configurations_once: bool = True):
        self.context, self.suite, self.count, self.seconds = gx_context(), suite, 0, 0.0
        self.configurations_once = configurations_once
        self.configuration_reads = ConfigurationReads()
        asset = self.context.data_sources.add_pandas("warehouse").add_dataframe_asset("frame")
        self.batch = asset.add_batch_definition_whole_dataframe("whole")

    def validate(self, expectations: list, frame: pd.DataFrame):
        """GX's suite result (results, statistics, batch markers) for the frame."""
        started = time.perf_counter()
        self.count += 1
        suite = gx.ExpectationSuite(name=f"{self.suite}#{self.count}", expectations=expectations)
        batch = self.batch.get_batch(batch_parameters={"dataframe": frame})
        if self.configurations_once:
            with configurations_built_once() as counts:
                result = batch.validate(suite, result_format=RESULT_FORMAT)
            self.configuration_reads.reads += counts.reads
            self.configuration_reads.builds += counts.builds
        else:
            result = batch.validate(suite, result_format=RESULT_FORMAT)
        self.seconds += time.perf_counter() - started
        return result

    def run(self, expectations: list, frame: pd.DataFrame) -> list:
        """One result per expectation, in the order of their `meta["index"]`."""
        result = self.validate(expectations, frame)
        return sorted(result.results, key=lambda r: r.expectation_config.meta["index"])
