"""Which services run on which dates: calendar.txt weekly patterns plus calendar_dates exceptions.

Used twice: at ingest (is the feed expired relative to its own publication date?) and for the
service metrics (intermediate.int_gtfs__service_dates: which dates each service runs).
"""

from __future__ import annotations

import polars as pl

WEEKDAY_COLUMNS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_TYPES = ("weekday", "saturday", "sunday")
KEY = ("feed_version", "service_id")


def parse_gtfs_date(text: pl.Expr) -> pl.Expr:
    return text.str.strip_chars().str.strptime(pl.Date, "%Y%m%d", strict=False)


def day_type_of(date: pl.Expr) -> pl.Expr:
    """weekday (Mon-Fri), saturday or sunday."""
    weekday = date.dt.weekday()  # Monday = 1
    return (
        pl.when(weekday <= 5)
        .then(pl.lit("weekday"))
        .when(weekday == 6)
        .then(pl.lit("saturday"))
        .otherwise(pl.lit("sunday"))
    )


def service_dates(calendar: pl.DataFrame, calendar_dates: pl.DataFrame) -> pl.DataFrame:
    """One row per (feed_version, service_id, service_date) on which the service runs."""
    weekly = (
        calendar.select(
            *KEY,
            *WEEKDAY_COLUMNS,
            parse_gtfs_date(pl.col("start_date")).alias("start"),
            parse_gtfs_date(pl.col("end_date")).alias("end"),
        )
        .filter(pl.col("start").is_not_null() & (pl.col("end") >= pl.col("start")))
        .with_columns(pl.date_ranges("start", "end").alias("service_date"))
        .explode("service_date")
    )
    runs_that_day = pl.concat_list(WEEKDAY_COLUMNS).list.get(
        pl.col("service_date").dt.weekday() - 1
    )
    weekly = weekly.filter(runs_that_day == 1).select(*KEY, "service_date")
    exceptions = calendar_dates.select(
        *KEY,
        parse_gtfs_date(pl.col("date")).alias("service_date"),
        pl.col("exception_type"),
    ).filter(pl.col("service_date").is_not_null())
    added = exceptions.filter(pl.col("exception_type") == 1).select(*KEY, "service_date")
    removed = exceptions.filter(pl.col("exception_type") == 2).select(*KEY, "service_date")
    return (
        pl.concat([weekly, added])
        .join(removed, on=[*KEY, "service_date"], how="anti")
        .unique()
        .sort(*KEY, "service_date")
    )
