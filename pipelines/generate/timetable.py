"""Trips, stop times and shapes of one feed version, built route by route with numpy.

Weekday service (`WD`) and weekend service (`WE`, about 80% of weekday trips) run evenly
spaced between each route's first and last departure; night routes leave after 23:30, so their
last trips arrive past 24:00:00, written as such. Times are whole minutes, as in most feeds.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from pipelines.generate.network import Network, Route, segment_km

WEEKEND_SHARE = 0.8


def route_id(route: Route) -> str:
    return f"{route.agency_id}_{route.short_name}"


def clock(seconds: pl.Expr) -> pl.Expr:
    """HH:MM:SS with hours past 24 kept (GTFS service-day time)."""
    hours = (seconds // 3600).cast(pl.String).str.zfill(2)
    minutes = (seconds % 3600 // 60).cast(pl.String).str.zfill(2)
    secs = (seconds % 60).cast(pl.String).str.zfill(2)
    return pl.concat_str([hours, minutes, secs], separator=":")


def _shape_points(route: Route, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Stops plus a slightly bent midpoint between each pair: roads are not straight."""
    mid_lat = (route.lats[:-1] + route.lats[1:]) / 2 + rng.normal(0, 0.0004, route.lats.size - 1)
    mid_lon = (route.lons[:-1] + route.lons[1:]) / 2 + rng.normal(0, 0.0004, route.lons.size - 1)
    lats = np.empty(route.lats.size * 2 - 1)
    lons = np.empty_like(lats)
    lats[0::2], lats[1::2] = route.lats, mid_lat
    lons[0::2], lons[1::2] = route.lons, mid_lon
    return np.round(lats, 6), np.round(lons, 6)


def build_timetable(network: Network, version: date, rng: np.random.Generator) -> dict:
    """trips, stop_times and shapes frames (shape distances in km).

    Columns are gathered as integer arrays and turned into text once per table: building a
    frame per trip would cost more than the whole feed.
    """
    trips: dict[str, list] = {
        k: []
        for k in ("route_id", "service_id", "trip_id", "trip_headsign", "direction_id", "shape_id")
    }
    shapes: dict[str, list] = {k: [] for k in ("shape_id", "lat", "lon", "seq", "km")}
    times: dict[str, list] = {k: [] for k in ("trip", "seconds", "stop", "seq", "km")}
    stop_ids: list[str] = []
    for route in network.routes_in(version):
        weekday = route.trips_per_direction[version]
        first_stop = len(stop_ids)
        stop_ids += route.stop_ids
        shape_lats, shape_lons = _shape_points(route, rng)
        for direction in (0, 1):
            order = slice(None) if direction == 0 else slice(None, None, -1)
            s_lats, s_lons = shape_lats[order], shape_lons[order]
            shape_km = np.r_[0.0, np.cumsum(segment_km(s_lats, s_lons))]
            stop_km = np.r_[0.0, np.cumsum(segment_km(route.lats[order], route.lons[order]))]
            offsets = np.round(stop_km / route.speed_kmh * 60).astype(np.int64) * 60
            stops = (first_stop + np.arange(len(route.stop_ids)))[order]
            shape_id = f"{route_id(route)}_{direction}"
            shapes["shape_id"] += [shape_id] * s_lats.size
            for key, values in (
                ("lat", s_lats),
                ("lon", s_lons),
                ("km", shape_km),
                ("seq", np.arange(1, s_lats.size + 1)),
            ):
                shapes[key].append(values)
            start = route.first_departure_min + (int(rng.integers(0, 16)) if direction else 0)
            for service, count in (("WD", weekday), ("WE", max(2, round(weekday * WEEKEND_SHARE)))):
                departures = np.round(np.linspace(start, route.last_departure_min, count)) * 60
                first_trip = len(trips["trip_id"])
                trips["trip_id"] += [
                    f"{route_id(route)}_{service}_{direction}_{i + 1:03d}" for i in range(count)
                ]
                trips["route_id"] += [route_id(route)] * count
                trips["service_id"] += [service] * count
                trips["trip_headsign"] += [route.stop_names[order][-1]] * count
                trips["direction_id"] += [direction] * count
                trips["shape_id"] += [shape_id] * count
                times["trip"].append(np.repeat(first_trip + np.arange(count), offsets.size))
                times["seconds"].append(
                    (departures.astype(np.int64)[:, None] + offsets[None, :]).ravel()
                )
                times["stop"].append(np.tile(stops, count))
                times["seq"].append(np.tile(np.arange(1, offsets.size + 1), count))
                times["km"].append(np.tile(shape_km[0::2], count))
    trip_ids = pl.Series(trips["trip_id"])
    stop_times = pl.DataFrame(
        {
            "trip_id": trip_ids.gather(np.concatenate(times["trip"])),
            "seconds": np.concatenate(times["seconds"]),
            "stop_id": pl.Series(stop_ids).gather(np.concatenate(times["stop"])),
            "stop_sequence": np.concatenate(times["seq"]),
            "shape_dist_traveled": np.round(np.concatenate(times["km"]), 3),
        }
    ).with_columns(clock(pl.col("seconds")).alias("arrival_time"))
    stop_times = stop_times.with_columns(pl.col("arrival_time").alias("departure_time"))
    shape_frame = pl.DataFrame(
        {
            "shape_id": shapes["shape_id"],
            "shape_pt_lat": np.concatenate(shapes["lat"]),
            "shape_pt_lon": np.concatenate(shapes["lon"]),
            "shape_pt_sequence": np.concatenate(shapes["seq"]),
            "shape_dist_traveled": np.round(np.concatenate(shapes["km"]), 3),
        }
    )
    return {"trips": pl.DataFrame(trips), "stop_times": stop_times, "shapes": shape_frame}
