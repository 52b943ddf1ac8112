"""Validation notices and the rule catalogue they cite (reference/gtfs_rules.csv).

The catalogue is data: a rule's severity lives in the CSV, not in the check that finds it, so
the bureau can read (and the tests can verify) what each code means. ERROR = a GTFS "must"
rule (the feed is rejected), WARNING = a "should" rule (the feed loads).
"""

from __future__ import annotations

from functools import cache

import polars as pl

from pipelines import project

NOTICE_SCHEMA = {
    "code": pl.String,
    "file": pl.String,
    "row": pl.Int64,
    "field": pl.String,
    "message": pl.String,
}
# marts.fct_gtfs_validation_notices: one row per notice per feed file.
FEED_NOTICE_SCHEMA = {
    "feed_version": pl.String,
    "feed_name": pl.String,
    "source_file": pl.String,
    "code": pl.String,
    "severity": pl.String,
    **{k: v for k, v in NOTICE_SCHEMA.items() if k != "code"},
}


@cache
def rule_catalogue() -> pl.DataFrame:
    """code, severity, label_zh, description; in the order checks are reported."""
    rules = pl.read_csv(project.REFERENCE_DIR / "gtfs_rules.csv", infer_schema=False)
    return rules.with_row_index("rule_order").with_columns(pl.col("rule_order").cast(pl.Int64))


def severity_of(code: str) -> str:
    match = rule_catalogue().filter(pl.col("code") == code)
    if match.is_empty():
        raise KeyError(f"GTFS rule {code} is not in reference/gtfs_rules.csv")
    return match.get_column("severity")[0]


def no_notices() -> pl.DataFrame:
    return pl.DataFrame(schema=NOTICE_SCHEMA)


def one_notice(
    code: str, file: str | None, message: str, row: int | None = None, field: str | None = None
) -> pl.DataFrame:
    severity_of(code)  # fail loudly on a code missing from the catalogue
    record = {"code": code, "file": file, "row": row, "field": field, "message": message}
    return pl.DataFrame([record], schema=NOTICE_SCHEMA)


def notices_from_rows(
    offending: pl.DataFrame, code: str, file: str, field: str | None, message: pl.Expr
) -> pl.DataFrame:
    """One notice per offending row; `offending` carries `_row_number`."""
    severity_of(code)
    return offending.select(
        pl.lit(code).alias("code"),
        pl.lit(file).alias("file"),
        pl.col("_row_number").cast(pl.Int64).alias("row"),
        pl.lit(field, dtype=pl.String).alias("field"),
        # a message formatted from a blank value would be null: say so instead
        message.cast(pl.String).fill_null(f"{code} (a value it names is blank)").alias("message"),
    )


def combine(frames: list[pl.DataFrame]) -> pl.DataFrame:
    frames = [frame for frame in frames if frame.height]
    return pl.concat(frames) if frames else no_notices()


def with_severity(notices: pl.DataFrame) -> pl.DataFrame:
    """Attach severity from the catalogue; order by catalogue, file and row."""
    rules = rule_catalogue().select("code", "severity", "rule_order")
    return (
        notices.join(rules, on="code", how="left")
        .sort("rule_order", "file", "row", nulls_last=True, maintain_order=True)
        .drop("rule_order")
    )


def first_error(notices: pl.DataFrame) -> dict | None:
    """The notice a rejection reason names: the first ERROR in catalogue order."""
    errors = with_severity(notices).filter(pl.col("severity") == "ERROR")
    return errors.row(0, named=True) if errors.height else None
