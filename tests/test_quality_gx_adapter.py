"""What gx_adapter relies on beyond GX's public API, measured on GX itself: each test fails
if the pinned GX stops behaving the way the adapter's docstring says."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from assets.quality import gx_adapter
from assets.quality.gx_adapter import GxRunner, mostly_success
from assets.quality.suite_builder import ExpectationSpec, build_expectation


def _built(specs: list[ExpectationSpec]) -> list:
    return [build_expectation(spec, spec.kwargs, n) for n, spec in enumerate(specs)]


def _comparable(result) -> dict:
    document = result.to_json_dict()
    document["expectation_config"].pop("id", None)
    return document


def test_no_batch_is_fingerprinted_even_with_unhashable_values(monkeypatch):
    """GX would hash this 3 000-row frame (far under its 1 GB default) value by value, lists
    included; through the adapter it hashes nothing and validates as usual."""
    hashed = []
    hash_pandas_object = pd.util.hash_pandas_object

    def spy(*args, **kwargs):
        hashed.append(args)
        return hash_pandas_object(*args, **kwargs)

    monkeypatch.setattr(pd.util, "hash_pandas_object", spy)
    rows = 3_000
    frame = pd.DataFrame(
        {
            "pseudonym": [None if i == 5 else f"{i:064x}" for i in range(rows)],
            "seen_on": [dt.date(2025, 1, 1 + i % 28) for i in range(rows)],
            "stops": [[i, i + 1] for i in range(rows)],  # lists: pandas cannot hash them
        }
    )
    specs = [
        ExpectationSpec("expect_column_values_to_not_be_null", {"column": "pseudonym"}, "ERROR"),
        ExpectationSpec("expect_table_row_count_to_equal", {"value": rows}, "ERROR"),
    ]
    result = GxRunner("fingerprint").validate(_built(specs), frame)
    assert hashed == []
    assert "pandas_data_fingerprint" not in result.meta["batch_markers"]
    by_index = sorted(result.results, key=lambda r: r.expectation_config.meta["index"])
    assert [r.success for r in by_index] == [False, True]  # row 5 is null
    assert by_index[0].result["unexpected_count"] == 1


def test_configurations_built_once_give_gx_own_results_and_gx_property_back():
    """The adapter builds each expectation's configuration once per validation: GX must still
    read it through the class property, each one more than once (else the shortcut is dead
    weight), and give the results it gives with its own property; GX's property is back after."""
    frame = pd.DataFrame(
        {
            "pseudonym": [None if i == 7 else f"{i:064x}" for i in range(400)],
            "_row_number": range(400),
            "seen_on": [dt.date(2025, 1, 1 + i % 28) for i in range(400)],
        }
    )
    frame["seen_on_copy"] = frame["seen_on"]
    frame.loc[3, "pseudonym"] = "not a pseudonym"
    frame.loc[11, "pseudonym"] = frame.loc[10, "pseudonym"]  # one duplicated pseudonym
    specs = [
        ExpectationSpec("expect_column_values_to_not_be_null", {"column": "pseudonym"}, "ERROR"),
        ExpectationSpec(
            "expect_column_values_to_match_regex",
            {"column": "pseudonym", "regex": "^[0-9a-f]{64}$", "mostly": 0.99},
            "WARN",
        ),
        ExpectationSpec(
            "expect_column_values_to_be_between",
            {"column": "_row_number", "min_value": 10, "max_value": 300},
            "ERROR",
        ),
        ExpectationSpec("expect_column_values_to_be_unique", {"column": "pseudonym"}, "ERROR"),
        ExpectationSpec(
            "expect_column_pair_values_a_to_be_greater_than_b",
            {"column_A": "seen_on", "column_B": "seen_on_copy", "or_equal": False},
            "ERROR",
        ),
        ExpectationSpec("expect_table_row_count_to_equal", {"value": 399}, "ERROR"),
    ]
    runner = GxRunner("ours")
    built = _built(specs)
    ours = runner.run(built, frame)
    gx_own = GxRunner("gx_own", configurations_once=False).run(_built(specs), frame)

    reads = runner.configuration_reads
    assert len(specs) <= reads.builds < reads.reads / 2  # each configuration served repeatedly
    assert [_comparable(r) for r in ours] == [_comparable(r) for r in gx_own]
    # 400 rows: row 7 null; row 3 "not a pseudonym" (1 of 399 values, passes mostly 0.99);
    # rows 0-9 and 301-399 outside 10..300; rows 10 and 11 equal; seen_on never > itself
    assert [r.success for r in ours] == [False, True, False, False, False, False]
    assert [r.result.get("unexpected_count") for r in ours[:5]] == [1, 1, 109, 2, 400]
    # GX's own property again: a changed expectation shows in its next configuration
    regex = built[1]
    assert regex.configuration.kwargs["mostly"] == 0.99
    regex.mostly = 0.5
    assert regex.configuration.kwargs["mostly"] == 0.5


@pytest.mark.parametrize(
    ("in_range", "outside", "mostly", "success"),
    [
        (2, 1, 2 / 3, True),  # (3 - 1) / 3 is exactly the float 2/3
        (2, 1, 0.6666666666666667, False),  # the next float up
        (9, 1, 0.9, True),
        (9, 1, 0.9000000001, False),
        (7, 0, 1.0, True),
        (6, 1, 1.0, False),
    ],
)
def test_mostly_rule_is_gx_own(in_range, outside, mostly, success):
    """merge_slices judges summed slice counts with mostly_success; GX judges one frame with
    its own rule. Two nulls per frame: they count as neither considered nor unexpected."""
    values = [5] * in_range + [50] * outside + [None, None]
    frame = pd.DataFrame({"n": pd.array(values, dtype="Int64")})
    spec = ExpectationSpec(
        "expect_column_values_to_be_between",
        {"column": "n", "min_value": 0, "max_value": 10, "mostly": mostly},
        "ERROR",
    )
    (result,) = GxRunner("mostly").run(_built([spec]), frame)
    assert (result.result["unexpected_count"], result.result["missing_count"]) == (outside, 2)
    assert result.success is success
    assert mostly_success(in_range + outside, outside, mostly) is success


def test_the_adapter_is_the_only_module_importing_gx():
    """Every GX import and patch lives in gx_adapter (pinned, guarded above)."""
    root = Path(gx_adapter.__file__).parents[2]
    gx_import = re.compile(r"^\s*(from|import)\s+(great_expectations|gx)\b", re.MULTILINE)
    importers = sorted(
        path.relative_to(root).as_posix()
        for folder in ("assets", "pipelines", "tests", "benchmarks")
        for path in (root / folder).rglob("*.py")
        if gx_import.search(path.read_text(encoding="utf-8"))
    )
    assert importers == ["assets/quality/gx_adapter.py"]
