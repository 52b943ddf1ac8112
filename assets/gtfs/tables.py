"""The GTFS tables we load, their column types, required columns and keys, in one place.

Column types are gtfs-kit's own (`gtfs_kit.constants.DTYPES`), so a raw table looks the same
whether a feed came through our reader or through `gtfs_kit.read_feed`. Spec columns that
gtfs-kit does not type (e.g. `route_sort_order`, `cemv_support`) land in `_extra` as JSON, so
every feed version shares one schema per table.
"""

from __future__ import annotations

import polars as pl
from gtfs_kit.constants import DTYPES

LOADED_TABLES = (
    "agency",
    "routes",
    "trips",
    "stops",
    "stop_times",
    "calendar",
    "calendar_dates",
    "shapes",
    "feed_info",
    "frequencies",
)
REQUIRED_FILES = ("agency", "stops", "routes", "trips", "stop_times")
CALENDAR_FILES = ("calendar", "calendar_dates")
RECOMMENDED_FILES = ("feed_info",)

# headway_secs is Int16 in gtfs-kit, which overflows past 9 h 6 min; widen it.
DTYPE_OVERRIDES = {("frequencies", "headway_secs"): "Int32"}
# feed_info.txt's own feed_version would collide with our key (the zip's sha256).
RENAMED_COLUMNS = {"feed_info": {"feed_version": "feed_info_version"}}

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
REQUIRED_COLUMNS = {
    "agency": ("agency_name", "agency_url", "agency_timezone"),
    "stops": ("stop_id",),
    "routes": ("route_id", "route_type"),
    "trips": ("route_id", "service_id", "trip_id"),
    "stop_times": ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"),
    "calendar": ("service_id", *_WEEKDAYS, "start_date", "end_date"),
    "calendar_dates": ("service_id", "date", "exception_type"),
    "shapes": ("shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"),
    "feed_info": ("feed_publisher_name", "feed_publisher_url", "feed_lang"),
    "frequencies": ("trip_id", "start_time", "end_time", "headway_secs"),
}
# Values that must never be empty (arrival/departure times are only required at trip ends).
REQUIRED_VALUES = {
    **REQUIRED_COLUMNS,
    "stop_times": ("trip_id", "stop_id", "stop_sequence"),
}
# stop_times' key (trip_id, stop_sequence) is checked by non_increasing_stop_sequence.
PRIMARY_KEYS = {
    "agency": ("agency_id",),
    "stops": ("stop_id",),
    "routes": ("route_id",),
    "trips": ("trip_id",),
    "calendar": ("service_id",),
    "calendar_dates": ("service_id", "date"),
    "shapes": ("shape_id", "shape_pt_sequence"),
    "frequencies": ("trip_id", "start_time"),
}

_POLARS_TYPES = {
    "string": pl.String,
    "Int16": pl.Int32,
    "Int32": pl.Int32,
    "float": pl.Float64,
}


def pandas_dtypes(table: str) -> dict[str, str]:
    """The dtypes gtfs-kit reads `table` with, after our overrides."""
    dtypes = dict(DTYPES[table])
    for (name, column), dtype in DTYPE_OVERRIDES.items():
        if name == table:
            dtypes[column] = dtype
    return dtypes


def spec_columns(table: str) -> dict[str, pl.DataType]:
    """The typed columns of raw.gtfs_<table> (before feed keys and lineage), renamed."""
    renames = RENAMED_COLUMNS.get(table, {})
    return {
        renames.get(column, column): _POLARS_TYPES[dtype]
        for column, dtype in pandas_dtypes(table).items()
    }


def raw_table_name(table: str) -> str:
    return f"raw.gtfs_{table}"
