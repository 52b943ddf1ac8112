"""Run one suite with Great Expectations 1.x on frames fetched from DuckDB.

GX's SQL datasource over duckdb_engine returns empty metric results, so every batch is a
pandas frame fetched through Arrow (Arrow-backed dtypes: nullable integers stay integers).
Only the columns the suite names are fetched, plus `_source_file` so that a failure can
name its file. Each `unexpected_rows` query becomes its own small batch, validated with
`expect_table_row_count_to_equal(0)`; its first rows are the sample.

Tables above LARGE_TABLE_ROWS (registrations, vehicles, stop times at city scale) are
validated in narrow batches instead of one wide frame (`batches.py`): every expectation
still sees every row of its own columns, but GX's per-expectation row filtering no longer
copies a dozen unrelated columns, date columns arrive as datetime64 so range and pair
comparisons are vectorised, and peak memory is one column group, not the table. Past
`batches.SLICE_ROWS` a group is validated in row slices whose GX results are merged
(`merge_slices`): counts are summed and GX's own `mostly` rule is applied to the sums.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from assets.quality.batches import (
    DomainBatch,
    domain_batches,
    files_of_rows,
    schema_only,
)
from assets.quality.gx_adapter import RESULT_FORMAT, GxRunner, fetch_pandas, mostly_success
from assets.quality.outcome import ExpectationOutcome, SuiteOutcome
from assets.quality.samples import clean_sample, mask_sample
from assets.quality.suite_builder import (
    ExpectationSpec,
    SuiteSpec,
    UnexpectedRowsSpec,
    build_expectation,
)
from pipelines.sql_text import column_list, identifier, qualified
from pipelines.warehouse import column_types

LARGE_TABLE_ROWS = 200_000
CODE_COLUMN = re.compile(r"^(reference)\.([a-z_]+)\.([a-z_]+)$")
LINEAGE_FILE = "_source_file"


def _select_list(columns: list[str]) -> str:
    return column_list(columns) if columns else "1 as _no_columns"


def code_set(con: duckdb.DuckDBPyConnection, reference: str) -> list[str]:
    """Codes of `reference.<table>.<column>`, read from the warehouse at run time."""
    match = CODE_COLUMN.match(reference)
    if not match:
        raise ValueError(f"code set must be reference.<table>.<column>, got {reference!r}")
    schema, table, column = match.groups()
    quoted = identifier(column)
    rows = con.execute(
        f"select distinct {quoted} from {qualified(schema, table)} "
        f"where {quoted} is not null order by 1"
    ).fetchall()
    return [row[0] for row in rows]


def resolve_kwargs(con: duckdb.DuckDBPyConnection, kwargs: dict) -> dict:
    """Replace `value_set_from` / `letters_from` by sets read from reference.* tables."""
    resolved = dict(kwargs)
    if "value_set_from" in resolved:
        values = code_set(con, resolved.pop("value_set_from"))
        values += list(resolved.pop("value_set_extra", []))
        if resolved.pop("value_type", None) == "int":
            values = [int(v) for v in values]
        resolved["value_set"] = values
    if "letters_from" in resolved:
        letters = sorted(c for c in code_set(con, resolved.pop("letters_from")) if len(c) == 1)
        resolved["regex"] = f"^[{''.join(letters)}]+$"
    return resolved


def _exception(result) -> str | None:
    info = result.exception_info or {}
    entries = [info] if "raised_exception" in info else list(info.values())
    for entry in entries:
        if isinstance(entry, dict) and entry.get("raised_exception"):
            return str(entry.get("exception_message", "GX raised an exception")).splitlines()[0]
    return None


def _files(frame: pd.DataFrame, indices) -> list[str]:
    if LINEAGE_FILE not in frame.columns or not indices:
        return []
    positions = [i for i in indices if isinstance(i, int) and 0 <= i < len(frame)]
    return sorted(set(frame[LINEAGE_FILE].iloc[positions].dropna().astype(str)))


def _values(result) -> list:
    """The unexpected values GX reports (distinct ones first), or its observed value."""
    details = result.result or {}
    counts = details.get("partial_unexpected_counts")
    values = [c["value"] for c in counts] if counts else details.get("partial_unexpected_list")
    if not values and "observed_value" in details and not result.success:
        values = [details["observed_value"]]
    return values or []


def _outcome(
    spec: ExpectationSpec, result, identifiers, files: list[str], batch: DomainBatch | None = None
) -> ExpectationOutcome:
    details = result.result or {}
    error = _exception(result)
    values = _values(result)
    if batch is not None:
        values = batch.restore_values(values or [])
    return ExpectationOutcome(
        expectation=spec.type,
        column=spec.label,
        severity=spec.severity,
        success=bool(result.success) and error is None,
        unexpected_count=details.get("unexpected_count"),
        element_count=details.get("element_count"),
        sample=clean_sample(mask_sample(values or [], spec.columns, identifiers)),
        files=files,
        why=spec.why,
        error=f"{spec.label}: {error}" if error else None,
    )


def _indices(result) -> list:
    return (result.result or {}).get("partial_unexpected_index_list") or []


def _one_batch(con, spec: SuiteSpec, types: dict[str, str], runner: GxRunner, expectations):
    """Small tables: every expectation on one frame of the suite's columns."""
    wanted = [c for c in spec.columns if c in types]
    if LINEAGE_FILE in types and LINEAGE_FILE not in wanted:
        wanted.append(LINEAGE_FILE)
    frame = fetch_pandas(con, f"select {_select_list(wanted)} from {qualified(spec.name)}")
    results = runner.run([built for _, built in expectations], frame)
    return [
        _outcome(e, r, spec.identifiers, _files(frame, _indices(r)))
        for (e, _), r in zip(expectations, results, strict=True)
    ]


@dataclass
class MergedResult:
    """One expectation's GX results over every slice of its column group, shaped like a
    GX result (`success`, `result`, `exception_info`) so `_outcome` reads it the same way."""

    success: bool = True
    result: dict = field(default_factory=dict)
    exception_info: dict = field(default_factory=dict)


def merge_slices(results: list, values: list[list], mostly: float) -> MergedResult:
    """Counts summed over the slices; success as GX decides it for a map expectation:
    vacuously true without rows to consider, else (considered − unexpected) / considered
    ≥ mostly, with considered = element_count − missing_count. Samples are the first
    slices' values (restored per slice), up to GX's partial count."""
    merged = MergedResult()
    for result in results:
        if _exception(result) is not None:
            merged.success, merged.exception_info = False, result.exception_info
            return merged
    details = [r.result or {} for r in results]
    elements = sum(d.get("element_count") or 0 for d in details)
    missing = sum(d.get("missing_count") or 0 for d in details)
    unexpected = sum(d.get("unexpected_count") or 0 for d in details)
    considered = elements - missing
    merged.success = considered == 0 or mostly_success(considered, unexpected, mostly)
    limit = RESULT_FORMAT["partial_unexpected_count"]
    merged.result = {
        "element_count": elements,
        "missing_count": missing,
        "unexpected_count": unexpected,
        "partial_unexpected_list": [v for slice_values in values for v in slice_values][:limit],
    }
    return merged


@dataclass
class _SliceParts:
    results: list = field(default_factory=list)
    values: list = field(default_factory=list)
    row_ids: list = field(default_factory=list)


def _batched(
    con, spec: SuiteSpec, types: dict[str, str], runner: GxRunner, expectations, rows: int = 0
):
    """Large tables: schema expectations on a typed head, the rest in one batch per column
    group and slice (see batches.py for why each is exact)."""
    outcomes: dict[int, ExpectationOutcome] = {}
    schema = [(i, e, b) for i, (e, b) in enumerate(expectations) if schema_only(e)]
    if schema:
        head = [c for c in spec.columns if c in types]
        frame = fetch_pandas(
            con, f"select {_select_list(head)} from {qualified(spec.name)} limit 1000"
        )
        results = runner.run([b for _, _, b in schema], frame)
        for (i, e, _), r in zip(schema, results, strict=True):
            outcomes[i] = _outcome(e, r, spec.identifiers, [])
    lineage = LINEAGE_FILE in types
    rest = [(i, e, b) for i, (e, b) in enumerate(expectations) if not schema_only(e)]
    sliced: dict[int, _SliceParts] = {}
    for batch in domain_batches(con, spec.name, types, rest, rows):
        results = runner.run(batch.built, batch.frame)
        for (i, e), r in zip(batch.members, results, strict=True):
            row_ids = batch.row_ids(_indices(r))
            if batch.slices == 1:
                files = files_of_rows(con, spec.name, row_ids) if lineage and row_ids else []
                outcomes[i] = _outcome(e, r, spec.identifiers, files, batch)
                continue
            parts = sliced.setdefault(i, _SliceParts())
            parts.results.append(r)
            parts.values.append(batch.restore_values(_values(r)))
            parts.row_ids.extend(row_ids)
    limit = RESULT_FORMAT["partial_unexpected_count"]
    for i, parts in sliced.items():
        e, built = expectations[i]
        mostly = getattr(built, "mostly", None)
        merged = merge_slices(parts.results, parts.values, 1.0 if mostly is None else mostly)
        row_ids = parts.row_ids[:limit]
        files = files_of_rows(con, spec.name, row_ids) if lineage and row_ids else []
        outcomes[i] = _outcome(e, merged, spec.identifiers, files)
    return [outcomes[i] for i in range(len(expectations))]


def _table_outcomes(con, spec: SuiteSpec, runner: GxRunner) -> tuple[list, int]:
    types = column_types(con, spec.name)
    if not types:
        missing = ExpectationOutcome("table exists", "(table)", "ERROR", False)
        missing.error = f"table {spec.name} does not exist in the warehouse"
        return [missing], 0
    ((rows,),) = con.execute(f"select count(*) from {qualified(spec.name)}").fetchall()
    if not spec.expectations:
        return [], rows
    expectations = [
        (e, build_expectation(e, resolve_kwargs(con, e.kwargs), i))
        for i, e in enumerate(spec.expectations)
    ]
    if rows > LARGE_TABLE_ROWS:
        return _batched(con, spec, types, runner, expectations, rows), rows
    return _one_batch(con, spec, types, runner, expectations), rows


def _rows_outcome(
    con, rule: UnexpectedRowsSpec, runner: GxRunner, identifiers
) -> ExpectationOutcome:
    outcome = ExpectationOutcome(
        f"unexpected_rows: {rule.name}", rule.column or "(rows)", rule.severity, False, why=rule.why
    )
    try:
        frame = fetch_pandas(con, rule.sql)
    except duckdb.Error as error:
        outcome.error = f"query {rule.name} failed: {str(error).splitlines()[0]}"
        return outcome
    check = ExpectationSpec("expect_table_row_count_to_equal", {"value": 0}, rule.severity)
    (result,) = runner.run([build_expectation(check, check.kwargs, 0)], frame)
    outcome.success = bool(result.success)
    outcome.unexpected_count = len(frame)
    shown = frame.drop(columns=[LINEAGE_FILE], errors="ignore").head(5)
    outcome.sample = clean_sample(mask_sample(shown.to_dict(orient="records"), [], identifiers))
    outcome.files = _files(frame, list(range(min(len(frame), 20))))
    return outcome


def validate_suite(con: duckdb.DuckDBPyConnection, spec: SuiteSpec) -> SuiteOutcome:
    started = time.perf_counter()
    runner = GxRunner(spec.name)
    outcomes, rows = _table_outcomes(con, spec, runner)
    outcomes += [
        _rows_outcome(con, rule, runner, spec.identifiers) for rule in spec.unexpected_rows
    ]
    total = time.perf_counter() - started
    return SuiteOutcome(
        suite=spec.name,
        table=spec.name,
        rows=rows,
        expectations=outcomes,
        gx_seconds=round(runner.seconds, 3),
        fetch_seconds=round(total - runner.seconds, 3),
        has_error_expectations="ERROR" in spec.severities,
    )
