"""GTFS "must" rules about structure: files, columns, required values, keys and references.

Each check takes the feed's polars tables (only files present with records) and headers
(every file present) and returns notices; none of them raises on a broken feed.
"""

from __future__ import annotations

import polars as pl

from assets.gtfs.notices import combine, notices_from_rows, one_notice
from assets.gtfs.tables import (
    CALENDAR_FILES,
    PRIMARY_KEYS,
    RECOMMENDED_FILES,
    REQUIRED_COLUMNS,
    REQUIRED_FILES,
    REQUIRED_VALUES,
)

Tables = dict[str, pl.DataFrame]
Headers = dict[str, list[str]]

# (child table, column, parent table, parent column)
FOREIGN_KEYS = (
    ("stop_times", "trip_id", "trips", "trip_id"),
    ("stop_times", "stop_id", "stops", "stop_id"),
    ("trips", "route_id", "routes", "route_id"),
    ("trips", "shape_id", "shapes", "shape_id"),
    ("routes", "agency_id", "agency", "agency_id"),
    ("stops", "parent_station", "stops", "stop_id"),
    ("frequencies", "trip_id", "trips", "trip_id"),
)
# Conditionally required in stops.txt: for stops, stations and entrances (location_type 0-2).
STOP_LOCATION_VALUES = ("stop_name", "stop_lat", "stop_lon")


def check_files(tables: Tables, headers: Headers) -> pl.DataFrame:
    found = []
    for name in REQUIRED_FILES:
        if name not in headers:
            found.append(one_notice("missing_required_file", f"{name}.txt", "file is absent"))
        elif name not in tables:
            found.append(one_notice("empty_required_file", f"{name}.txt", "file has no records"))
    if not any(name in headers for name in CALENDAR_FILES):
        message = "neither calendar.txt nor calendar_dates.txt is present"
        found.append(one_notice("missing_calendar_and_calendar_date_files", None, message))
    elif not any(name in tables for name in CALENDAR_FILES):
        message = "calendar.txt and calendar_dates.txt hold no records"
        found.append(one_notice("empty_required_file", "calendar.txt", message))
    for name in RECOMMENDED_FILES:
        if name not in headers:
            found.append(one_notice("missing_recommended_file", f"{name}.txt", "file is absent"))
    return combine(found)


def check_columns(headers: Headers) -> pl.DataFrame:
    found = []
    for name, header in headers.items():
        for position, column in enumerate(header):
            if column and column in header[:position]:
                message = f"column {column} appears twice in the header"
                found.append(one_notice("duplicated_column", f"{name}.txt", message, field=column))
        for column in REQUIRED_COLUMNS.get(name, ()):
            if column not in header:
                message = f"required column {column} is missing from the header"
                found.append(
                    one_notice("missing_required_column", f"{name}.txt", message, field=column)
                )
    return combine(found)


def check_required_values(tables: Tables, headers: Headers) -> pl.DataFrame:
    found = []
    for name, frame in tables.items():
        for column in REQUIRED_VALUES.get(name, ()):
            if column in headers[name]:
                found.append(_empty_values(frame, name, column, pl.lit(True)))
    stops = tables.get("stops")
    if stops is not None:
        is_location = pl.col("location_type").fill_null(0).is_in([0, 1, 2])
        for column in STOP_LOCATION_VALUES:
            if column in headers["stops"]:
                found.append(_empty_values(stops, "stops", column, is_location))
            elif stops.filter(is_location).height:
                message = f"column {column} is required for stops and stations"
                found.append(
                    one_notice("missing_required_column", "stops.txt", message, field=column)
                )
    routes = tables.get("routes")
    if routes is not None:
        nameless = routes.filter(
            pl.col("route_short_name").is_null() & pl.col("route_long_name").is_null()
        )
        message = pl.format("route {} has neither short nor long name", pl.col("route_id"))
        found.append(
            notices_from_rows(
                nameless, "missing_required_field", "routes.txt", "route_short_name", message
            )
        )
    return combine(found)


def check_agency_ids(tables: Tables) -> pl.DataFrame:
    """agency_id is required in agency and routes once a feed has several agencies."""
    agency, routes = tables.get("agency"), tables.get("routes")
    if agency is None or agency.height < 2:
        return combine([])
    message = pl.lit("agency_id is empty but the feed has several agencies")
    found = [
        notices_from_rows(
            agency.filter(pl.col("agency_id").is_null()),
            "missing_agency_id",
            "agency.txt",
            "agency_id",
            message,
        )
    ]
    if routes is not None:
        unowned = routes.filter(pl.col("agency_id").is_null())
        found.append(
            notices_from_rows(unowned, "missing_agency_id", "routes.txt", "agency_id", message)
        )
    return combine(found)


def check_primary_keys(tables: Tables) -> pl.DataFrame:
    found = []
    for name, key in PRIMARY_KEYS.items():
        frame = tables.get(name)
        if frame is None:
            continue
        keyed = frame.filter(pl.all_horizontal(pl.col(c).is_not_null() for c in key))
        repeats = keyed.filter(pl.struct(key).is_duplicated()).filter(
            pl.struct(key).is_first_distinct().not_()
        )
        message = pl.format("{} repeats an earlier record", pl.concat_str(key, separator=" / "))
        found.append(notices_from_rows(repeats, "duplicate_key", f"{name}.txt", key[-1], message))
    return combine(found)


def check_foreign_keys(tables: Tables) -> pl.DataFrame:
    found = [_service_references(tables)]
    for child, column, parent, parent_column in FOREIGN_KEYS:
        child_frame, parent_frame = tables.get(child), tables.get(parent)
        if child_frame is None or (parent_frame is None and parent in REQUIRED_FILES):
            continue  # a missing required file is reported once, by check_files
        referring = child_frame.filter(pl.col(column).is_not_null())
        if parent_frame is not None:
            known = parent_frame.select(pl.col(parent_column).alias(column)).unique()
            referring = referring.join(known, on=column, how="anti", nulls_equal=False)
        message = pl.format(f"{column} {{}} is not in {parent}.txt", pl.col(column))
        found.append(
            notices_from_rows(
                referring.sort("_row_number"),
                "foreign_key_violation",
                f"{child}.txt",
                column,
                message,
            )
        )
    return combine(found)


def _service_references(tables: Tables) -> pl.DataFrame:
    trips = tables.get("trips")
    if trips is None:
        return combine([])
    services = [
        tables[name].select("service_id")
        for name in ("calendar", "calendar_dates")
        if name in tables
    ]
    referring = trips.filter(pl.col("service_id").is_not_null())
    if services:
        known = pl.concat(services).unique()
        referring = referring.join(known, on="service_id", how="anti")
    message = pl.format("service_id {} is in neither calendar file", pl.col("service_id"))
    return notices_from_rows(referring, "foreign_key_violation", "trips.txt", "service_id", message)


def _empty_values(frame: pl.DataFrame, name: str, column: str, applies: pl.Expr) -> pl.DataFrame:
    empty = frame.filter(applies & pl.col(column).is_null())
    message = pl.lit(f"required value {column} is empty")
    return notices_from_rows(empty, "missing_required_field", f"{name}.txt", column, message)
