"""Validate one feed: every rule of reference/gtfs_rules.csv, as notices with severity.

gtfs-kit 13 ships no validator (its `assess_quality` only scores a feed that already loaded),
so its reader gives us typed tables and these checks fill the gap: the "must" rules a broken
feed is rejected for (ERROR) and the "should" rules it is only warned about (WARNING).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from assets.gtfs.checks_structure import (
    check_agency_ids,
    check_columns,
    check_files,
    check_foreign_keys,
    check_primary_keys,
    check_required_values,
)
from assets.gtfs.checks_values import check_formats, check_stop_times
from assets.gtfs.feed_frames import empty_raw_frame
from assets.gtfs.notices import combine, notices_from_rows, one_notice, with_severity
from assets.gtfs.service_calendar import service_dates

EXPIRY_WARNING_DAYS = 30


def validate_feed(
    tables: dict[str, pl.DataFrame],
    headers: dict[str, list[str]],
    read_notices: pl.DataFrame,
    file_date: dt.date | None,
) -> pl.DataFrame:
    """Notices (code, file, row, field, message, severity) for one feed's raw frames.

    `tables` holds the files present with records. When a file could not even be read, only
    that is reported: checks on the rest would mostly echo the missing table. A ragged row
    (`invalid_row_length`) does not stop its table from being read, so every check runs.
    """
    unreadable = read_notices.filter(pl.col("code") != "invalid_row_length")
    if unreadable.height:
        return with_severity(read_notices)
    found = [
        read_notices,
        check_files(tables, headers),
        check_columns(headers),
        check_required_values(tables, headers),
        check_agency_ids(tables),
        check_primary_keys(tables),
        check_foreign_keys(tables),
        check_formats(tables),
        check_stop_times(tables),
        check_unusable_trips(tables),
        check_expiry(tables, file_date),
    ]
    return with_severity(combine(found))


def check_unusable_trips(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    trips, stop_times = tables.get("trips"), tables.get("stop_times")
    if trips is None or stop_times is None:
        return combine([])
    counts = stop_times.group_by("trip_id").len("stop_times")
    short = trips.join(counts, on="trip_id", how="left").filter(
        pl.col("stop_times").fill_null(0) < 2
    )
    message = pl.format(
        "trip {} has {} stop times", pl.col("trip_id"), pl.col("stop_times").fill_null(0)
    )
    return notices_from_rows(
        short.sort("_row_number"), "unusable_trip", "trips.txt", "trip_id", message
    )


def check_expiry(tables: dict[str, pl.DataFrame], file_date: dt.date | None) -> pl.DataFrame:
    """WARNING when the last service date is before, or within 30 days after, the file date."""
    if file_date is None:
        return combine([])
    calendar = tables.get("calendar", empty_raw_frame("calendar"))
    calendar_dates = tables.get("calendar_dates", empty_raw_frame("calendar_dates"))
    dates = service_dates(calendar, calendar_dates)
    if dates.is_empty():
        return combine([])
    last = dates.get_column("service_date").max()
    if last < file_date:
        message = f"last service date {last} is before the publication date {file_date}"
        return one_notice("feed_expired", "calendar.txt", message)
    if last < file_date + dt.timedelta(days=EXPIRY_WARNING_DAYS):
        message = f"last service date {last} is within {EXPIRY_WARNING_DAYS} days of {file_date}"
        return one_notice("feed_expiring_soon", "calendar.txt", message)
    return combine([])
