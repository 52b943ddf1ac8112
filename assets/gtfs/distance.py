"""How far a trip runs: along its shape, and in which unit shape_dist_traveled is written.

Vehicle-km come, in order of preference, from stop_times.shape_dist_traveled (last minus first
value of the trip, converted to km), from the trip's shape (the distance along the line between
the first and the last stop, gtfs-kit's rule), or from straight lines between consecutive stops.

GTFS does not say which unit shape_dist_traveled uses. gtfs-kit guesses it from shapes.txt and
falls back to km, which reads Dublin's metres as km; we compare each trip's span with the
straight-line length of its stops instead (a bus path is at most a few tens of percent longer,
far less than the factor between units).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import shapely

WGS84_A = 6_378_137.0
WGS84_E2 = 0.00669437999014
UNIT_METRES = {"m": 1.0, "km": 1000.0, "ft": 0.3048, "mi": 1609.344}


def sdt_unit(ratios: np.ndarray) -> str:
    """The unit whose length in metres is nearest (in log terms) to metres-per-sdt-unit."""
    ratio = float(np.median(ratios))
    return min(UNIT_METRES, key=lambda unit: abs(np.log(ratio / UNIT_METRES[unit])))


def sdt_units_by_feed(profiles: pl.DataFrame) -> pl.DataFrame:
    """feed_version, sdt_unit, km_per_sdt_unit, from trips with a positive span and stop km."""
    usable = profiles.filter(
        (pl.col("sdt_span") > 0) & (pl.col("stop_to_stop_km") > 0)
    ).with_columns((pl.col("stop_to_stop_km") * 1000 / pl.col("sdt_span")).alias("ratio"))
    rows = []
    for (feed_version,), group in usable.group_by("feed_version"):
        unit = sdt_unit(group.get_column("ratio").to_numpy())
        rows.append((feed_version, unit, UNIT_METRES[unit] / 1000))
    schema = {"feed_version": pl.String, "sdt_unit": pl.String, "km_per_sdt_unit": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def shape_trip_km(points: pl.DataFrame, ends: pl.DataFrame) -> pl.DataFrame:
    """Km along each shape between a trip's first and last stop.

    points: feed_version, shape_id, shape_pt_sequence, shape_pt_lat, shape_pt_lon.
    ends: feed_version, shape_id, first_stop_id, first_lat, first_lon, last_stop_id,
    last_lat, last_lon. As in gtfs-kit's compute_trip_stats: when the line crosses itself,
    or the stops project out of order, the whole shape length is used. Each shape is drawn in
    its own local plane (metres), which agrees with gtfs-kit's UTM to about 0.05 %.
    """
    key = ["feed_version", "shape_id"]
    if points.is_empty() or ends.is_empty():
        return (
            ends.select(*key, "first_stop_id", "last_stop_id")
            .clear()
            .with_columns(pl.lit(None, dtype=pl.Float64).alias("shape_km"))
        )
    drawable = (
        points.group_by(key)
        .agg(pl.len().alias("points"), pl.col("shape_pt_lat").mean().alias("lat0"))
        .filter(pl.col("points") >= 2)
        .sort(key)
        .with_row_index("line")
        .select(*key, pl.col("line").cast(pl.Int64), "lat0")
    )
    ordered = points.join(drawable, on=key).sort("line", "shape_pt_sequence")
    lines = shapely.linestrings(
        _plane(ordered, "shape_pt_lat", "shape_pt_lon"), indices=ordered.get_column("line")
    )
    trips = ends.join(drawable, on=key, how="inner")
    trip_lines = lines[trips.get_column("line").to_numpy()]
    start = shapely.points(_plane(trips, "first_lat", "first_lon"))
    end = shapely.points(_plane(trips, "last_lat", "last_lon"))
    length = shapely.length(trip_lines)
    along = shapely.line_locate_point(trip_lines, end) - shapely.line_locate_point(
        trip_lines, start
    )
    plausible = shapely.is_simple(trip_lines) & (along > 0) & (along < length + 100)
    metres = np.where(plausible, along, length)
    return (
        trips.select(key + ["first_stop_id", "last_stop_id"])
        .with_columns(pl.Series("shape_km", metres / 1000.0, dtype=pl.Float64))
        .filter(pl.col("shape_km").is_not_nan() & pl.col("shape_km").is_not_null())
    )


def _plane(frame: pl.DataFrame, lat: str, lon: str) -> np.ndarray:
    """Local plane in metres around each row's shape latitude `lat0`, on the WGS84 ellipsoid
    (its meridian and prime-vertical radii there: a sphere would be off by up to 0.5 %)."""
    lat0 = np.radians(frame.get_column("lat0").to_numpy())
    curvature = 1 - WGS84_E2 * np.sin(lat0) ** 2
    meridian_radius = WGS84_A * (1 - WGS84_E2) / curvature**1.5
    normal_radius = WGS84_A / np.sqrt(curvature)
    lat_rad = np.radians(frame.get_column(lat).to_numpy())
    lon_rad = np.radians(frame.get_column(lon).to_numpy())
    return np.column_stack(
        [normal_radius * np.cos(lat0) * lon_rad, meridian_radius * (lat_rad - lat0)]
    )
