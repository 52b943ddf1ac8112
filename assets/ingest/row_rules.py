"""Row rules: each names the column it checks, why a row fails, and a vectorised test.

Rules are evaluated in order; a failing row goes to quarantine with the first rule it breaks
(one quarantine row per rejected record, as the contract asks).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

FAILED_COLUMN, FAILED_REASON = "_failed_column", "_failed_reason"


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
        pl.format("unrecognised date '{}'", pl.col(column)),
    )


def in_code_table(column: str, codes: list[str], table: str) -> RowRule:
    return RowRule(
        column,
        pl.col(column).is_not_null() & ~pl.col(column).is_in(codes),
        pl.format("unknown {} code '{}'", pl.lit(table), pl.col(column)),
    )


def letters_in_code_table(column: str, codes: list[str], table: str) -> RowRule:
    """Fields such as fuel `AC` or status `GE`: every letter must be a known code."""
    letters = "".join(sorted(c for c in codes if len(c) == 1))
    return RowRule(
        column,
        pl.col(column).is_not_null() & ~pl.col(column).str.contains(f"^[{letters}]+$"),
        pl.format("unknown {} code letter(s) in '{}'", pl.lit(table), pl.col(column)),
    )


def number_in_range(column, low=None, high=None, integer=False, exclusive_low=False) -> RowRule:
    """A non-blank value must parse as a number (an integer if asked) within [low, high]."""
    value = pl.col(column).cast(pl.Float64, strict=False)
    bad = value.is_null() | value.is_nan()
    if integer:
        bad = bad | (value != value.round(0))
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
    return RowRule(column, pl.col(column).is_not_null() & bad, pl.format(text, pl.col(column)))


def first_occurrence(column: str, report_as: str | None = None, key_text: str | None = None):
    """Keys must be unique within the file: the first row keeps the key, later ones go.

    `key_text` replaces the value in the reason for keys that hold respondent ids, which must
    never appear in plaintext in the warehouse.
    """
    first_row = pl.col("_row_number").min().over(column)
    shown = pl.lit(key_text) if key_text else pl.format("'{}'", pl.col(column))
    return RowRule(
        report_as or column,
        pl.col(column).is_not_null() & (pl.col("_row_number") != first_row),
        pl.format(
            "duplicate {} {} (first at row {})", pl.lit(report_as or column), shown, first_row
        ),
        whole_file=True,
    )


RULE_INDEX = "_failed_rule"


def _all_passed(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(None, pl.String).alias(FAILED_COLUMN),
        pl.lit(None, pl.String).alias(FAILED_REASON),
    )


def apply_rules(frame: pl.DataFrame, rules: list[RowRule]) -> pl.DataFrame:
    """Add `_failed_column` and `_failed_reason` (null for rows that pass every rule); the
    first rule a row fails names both.

    Reasons are formatted only for rules that some row of this file fails: most rules fail
    nowhere in a given file, and formatting a reason for every row of every rule was two
    thirds of the rules' time. Both steps run on the whole frame, so a rule whose test or
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
    column_expr = pl.when(which == failing[0]).then(pl.lit(rules[failing[0]].column))
    reason_expr = pl.when(which == failing[0]).then(rules[failing[0]].reason)
    for index in failing[1:]:
        column_expr = column_expr.when(which == index).then(pl.lit(rules[index].column))
        reason_expr = reason_expr.when(which == index).then(rules[index].reason)
    return indexed.with_columns(
        column_expr.otherwise(None).cast(pl.String).alias(FAILED_COLUMN),
        reason_expr.otherwise(None).cast(pl.String).alias(FAILED_REASON),
    ).drop(RULE_INDEX)
