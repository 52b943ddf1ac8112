"""The Python steps of the GTFS service metrics, between their SQL models.

The service metrics are SQL models (dbt_like_sql/intermediate/int_gtfs__*.sql and
marts/fct_gtfs_{route,feed}_service_daily.sql); two steps are Python, each writing its own
intermediate table for the models to read:
- the calendar expansion (service_calendar.service_dates, shared with the ingest's expiry
  check): intermediate.int_gtfs__service_dates;
- the distances that need shapely or a median over trips (distance.py):
  intermediate.int_gtfs__sdt_units, from the trip profiles model, and
  intermediate.int_gtfs__shape_km, along the shapes the shape ends model lists.
"""

from __future__ import annotations

import duckdb

from assets.gtfs.distance import sdt_units_by_feed, shape_trip_km
from assets.gtfs.service_calendar import service_dates
from pipelines.warehouse import fetch_frame, replace_table

SERVICE_DATES = "intermediate.int_gtfs__service_dates"
SDT_UNITS = "intermediate.int_gtfs__sdt_units"
SHAPE_KM = "intermediate.int_gtfs__shape_km"
REPRESENTATIVE_DATES = "intermediate.int_gtfs__representative_dates"
DAY_TRIPS = "intermediate.int_gtfs__day_trips"
TRIP_PROFILES = "intermediate.int_gtfs__trip_profiles"
TRIP_KM = "intermediate.int_gtfs__trip_km"
SHAPE_ENDS = "intermediate.int_gtfs__shape_ends"
ROUTE_DAILY = "marts.fct_gtfs_route_service_daily"
FEED_DAILY = "marts.fct_gtfs_feed_service_daily"

SHAPE_POINTS = f"""
select
    shapes.feed_version, shapes.shape_id, shapes.shape_pt_sequence,
    shapes.shape_pt_lat, shapes.shape_pt_lon
from raw.gtfs_shapes as shapes
semi join {SHAPE_ENDS} as ends
    on shapes.feed_version = ends.feed_version and shapes.shape_id = ends.shape_id
"""


def write_service_dates(con: duckdb.DuckDBPyConnection) -> int:
    """intermediate.int_gtfs__service_dates: feed_version, service_id, service_date."""
    calendar = fetch_frame(con, "select * from raw.gtfs_calendar")
    calendar_dates = fetch_frame(con, "select * from raw.gtfs_calendar_dates")
    return replace_table(con, SERVICE_DATES, service_dates(calendar, calendar_dates))


def write_sdt_units(con: duckdb.DuckDBPyConnection) -> int:
    """intermediate.int_gtfs__sdt_units: the unit of shape_dist_traveled per feed version."""
    profiles = fetch_frame(
        con, f"select feed_version, sdt_span, stop_to_stop_km from {TRIP_PROFILES}"
    )
    return replace_table(con, SDT_UNITS, sdt_units_by_feed(profiles))


def write_shape_km(con: duckdb.DuckDBPyConnection) -> int:
    """intermediate.int_gtfs__shape_km: km along each listed shape between two stops."""
    ends = fetch_frame(con, f"select * from {SHAPE_ENDS}")
    points = fetch_frame(con, SHAPE_POINTS)
    return replace_table(con, SHAPE_KM, shape_trip_km(points, ends))


def build_service_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Every service table on one connection, without Dagster (the tests, the gtfs-kit probe):
    the steps the assets run, in the order the asset graph runs them."""
    from assets.warehouse.assets import build_model  # the model factory, used as the assets do
    from assets.warehouse.sql_models import discover_models
    from pipelines import project

    models = {model.qualified_name: model for model in discover_models(project.SQL_DIR)}
    write_service_dates(con)
    for table in (REPRESENTATIVE_DATES, DAY_TRIPS, TRIP_PROFILES, SHAPE_ENDS):
        build_model(con, models[table])
    write_sdt_units(con)
    write_shape_km(con)
    for table in (TRIP_KM, ROUTE_DAILY, FEED_DAILY):
        build_model(con, models[table])
