"""Row rules shared by the two fleet ledgers (bus and taxi)."""

from __future__ import annotations

import polars as pl

from assets.ingest import row_rules as rr


def known_powertrain(codes: dict[str, list[str]]) -> rr.RowRule:
    label = pl.col("powertrain_label")
    return rr.RowRule(
        "powertrain_label",
        label.is_null() | ~label.is_in(codes["powertrain"]),
        pl.when(label.is_null())
        .then(pl.lit("required value is missing"))
        .otherwise(rr.reason("unknown powertrain label '{}' (not in reference.powertrain)", label)),
    )


def not_before(column: str, earlier: str) -> rr.RowRule:
    later_date, earlier_date = pl.col(f"{column}__date"), pl.col(f"{earlier}__date")
    return rr.RowRule(
        column,
        later_date < earlier_date,
        rr.reason(
            "{} {} precedes {} {}", pl.lit(column), later_date, pl.lit(earlier), earlier_date
        ),
    )
