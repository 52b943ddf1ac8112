"""Row rules: each names the column it checks, why a row fails, and a vectorised test.

Rules are evaluated in order; a failing row goes to quarantine with the first rule it breaks
(one quarantine row per rejected record, as the contract asks).

A reason is never null: `pl.format` gives null when any value it formats is null, so reasons
are built with `reason()`, which shows a null value as `(blank)`, and `apply_rules` still falls
back to a text naming the rule if a hand-made reason comes out null. Whether a row failed is
decided by the rule that failed, never by its reason text.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

FAILED_COLUMN, FAILED_REASON = "_failed_column", "_failed_reason"
BLANK = "(blank)"
# The values an integer column of the raw table can hold: [lowest, beyond) (exact as floats)
INTEGER_LIMITS = {pl.Int32: (-(2**31), 2**31), pl.Int64: (-(2**63), 2**63)}


def text_of(value: pl.Expr) -> pl.Expr:
    """A value as reason text, `(blank)` when it is null."""
    return value.cast(pl.String).fill_null(BLANK)


def reason(template: str, *values: pl.Expr) -> pl.Expr:
    """`pl.format(template, *values)` that is never null: a null value reads `(blank)`."""
    return pl.format(template, *(text_of(value) for value in values))


@dataclass(frozen=True)
class RowRule:
    column: str
    fails: pl.Expr  # true where the row breaks the rule
    reason: pl.Expr  # text explaining the failure for that row
    whole_file: bool = False  # compares rows with each other: needs the file in one frame


def required(column: str) -> RowRule:
    return RowRule(column, pl.col(column).is_null(), pl.lit("required value is missing"))


def parsed_date(column: str) -> RowRule:
    """A non-blank value that did not parse (the parsed value lives in `<column>__date`)."""
    return RowRule(
        column,
        pl.col(column).is_not_null() & pl.col(f"{column}__date").is_null(),
        reason("unrecognised date '{}'", pl.col(column)),
    )


def in_code_table(column: str, codes: list[str], table: str) -> RowRule:
    return RowRule(
        column,
        pl.col(column).is_not_null() & ~pl.col(column).is_in(codes),
        reason("unknown {} code '{}'", pl.lit(table), pl.col(column)),
    )


def letters_in_code_table(column: str, codes: list[str], table: str) -> RowRule:
    """Fields such as fuel `AC` or status `GE`: every letter must be a known code."""
    letters = "".join(sorted(c for c in codes if len(c) == 1))
    return RowRule(
        column,
        pl.col(column).is_not_null() & ~pl.col(column).str.contains(f"^[{letters}]+$"),
        reason("unknown {} code letter(s) in '{}'", pl.lit(table), pl.col(column)),
    )


def number_in_range(
    column: str,
    low: float | None = None,
    high: float | None = None,
    integer: bool = False,
    exclusive_low: bool = False,
    stored_as: type[pl.DataType] = pl.Int64,
) -> RowRule:
    """A non-blank value must parse as a finite number (an integer if asked) within
    [low, high]. `inf`, `Infinity`, `NaN` and `1e999` are not finite numbers. An integer must
    also fit `stored_as`, the integer type of its raw column, so that no value that passes
    the rule overflows (or silently becomes null) when the row is loaded."""
    value = pl.col(column).cast(pl.Float64, strict=False)
    not_finite = value.is_null() | ~value.is_finite()
    bad = not_finite
    out_of_type = pl.lit(False)
    if integer:
        lowest, beyond = INTEGER_LIMITS[stored_as]
        out_of_type = (value < lowest) | (value >= beyond)
        bad = bad | (value != value.round(0)) | out_of_type
    if low is not None:
        bad = bad | ((value <= low) if exclusive_low else (value < low))
    if high is not None:
        bad = bad | (value > high)
    lower = f"> {low}" if exclusive_low else f"≥ {low}"
    bounds = " and ".join(
        b
        for b in ((lower if low is not None else ""), (f"≤ {high}" if high is not None else ""))
        if b
    )
    kind = "an integer" if integer else "a number"
    text = f"must be {kind}" + (f" {bounds}" if bounds else "") + ", got '{}'"
    shown = pl.col(column)
    why = (
        pl.when(not_finite & value.is_not_null())
        .then(reason("must be a finite number, got '{}'", shown))
        .when(out_of_type)
        .then(
            reason(f"must be an integer that fits a {stored_as.__name__} column, got '{{}}'", shown)
        )
        .otherwise(reason(text, shown))
    )
    return RowRule(column, pl.col(column).is_not_null() & bad, why)


def first_occurrence(column: str, report_as: str | None = None, key_text: str | None = None):
    """Keys must be unique within the file: the first row keeps the key, later ones go.

    `key_text` replaces the value in the reason for keys that hold respondent ids, which must
    never appear in plaintext in the warehouse.
    """
    first_row = pl.col("_row_number").min().over(column)
    shown = pl.lit(key_text) if key_text else reason("'{}'", pl.col(column))
    return RowRule(
        report_as or column,
        pl.col(column).is_not_null() & (pl.col("_row_number") != first_row),
        reason("duplicate {} {} (first at row {})", pl.lit(report_as or column), shown, first_row),
        whole_file=True,
    )


RULE_INDEX = "_failed_rule"


def _all_passed(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(None, pl.String).alias(FAILED_COLUMN),
        pl.lit(None, pl.String).alias(FAILED_REASON),
    )


def _reason_or_fallback(rule: RowRule, index: int) -> pl.Expr:
    """The rule's reason, or a text naming the rule where the reason came out null."""
    fallback = f"breaks row rule {index + 1} on {rule.column} (a value it names is {BLANK})"
    return pl.coalesce(rule.reason.cast(pl.String), pl.lit(fallback))


def apply_rules(frame: pl.DataFrame, rules: list[RowRule]) -> pl.DataFrame:
    """Add `_failed_column` and `_failed_reason` (null for rows that pass every rule); the
    first rule a row fails names both, and neither is null for a row that fails.

    Reasons are formatted only for rules that some row of this file fails: most rules fail
    nowhere in a given file, and formatting a reason for every row of every rule would
    dominate the rules' time. Both steps run on the whole frame, so a rule whose test or
    reason looks at other rows (first_occurrence's "first at row N") sees the whole file."""
    if not rules:
        return _all_passed(frame)
    first_failed = pl.when(rules[0].fails.fill_null(False)).then(pl.lit(0, pl.Int32))
    for index, rule in enumerate(rules[1:], start=1):
        first_failed = first_failed.when(rule.fails.fill_null(False)).then(pl.lit(index, pl.Int32))
    indexed = frame.with_columns(first_failed.otherwise(None).alias(RULE_INDEX))
    failing = sorted(indexed.get_column(RULE_INDEX).drop_nulls().unique().to_list())
    if not failing:
        return _all_passed(frame)
    which = pl.col(RULE_INDEX)
    first = failing[0]
    column_expr = pl.when(which == first).then(pl.lit(rules[first].column))
    reason_expr = pl.when(which == first).then(_reason_or_fallback(rules[first], first))
    for index in failing[1:]:
        column_expr = column_expr.when(which == index).then(pl.lit(rules[index].column))
        reason_expr = reason_expr.when(which == index).then(
            _reason_or_fallback(rules[index], index)
        )
    return indexed.with_columns(
        column_expr.otherwise(None).cast(pl.String).alias(FAILED_COLUMN),
        reason_expr.otherwise(None).cast(pl.String).alias(FAILED_REASON),
    ).drop(RULE_INDEX)


def broke_a_rule() -> pl.Expr:
    """True for rows that broke a rule: decided by the rule that failed (its column is a
    literal of the rule), never by the reason text."""
    return pl.col(FAILED_COLUMN).is_not_null()
