"""The bus network behind every GTFS version: routes, their stops and weekday frequency.

Routes keep their name, stops and agency across versions (a rider's `101` stays `101`); each
version drops a few routes and adds a few. Frequencies of the first version are solved so that
weekday bus-km, measured stop to stop as any reader of the feed would, match the 2020 figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np

from pipelines.generate import calibration as cal
from pipelines.generate.codes import CodeTables

KM_PER_DEGREE_LAT = 111.0
SHANGHAI_DIRECTION = (31.38, 121.33)  # cross-border lines run toward Jiading, Shanghai
AGENCIES = {
    "TCGJ": cal.BUS_OPERATORS[0],
    "TCCX": cal.BUS_OPERATORS[1],
    "JDGJ": "上海嘉定公共交通有限公司",
}
# kind: (share of routes, agency, stop spacing km, speed km/h, relative frequency)
KINDS = {
    "urban": (0.51, "TCGJ", (0.45, 0.75), (15.0, 18.0), 1.0),
    "town": (0.30, "TCGJ", (0.8, 1.3), (22.0, 26.0), 0.8),
    "feeder": (0.15, "TCCX", (0.7, 1.1), (20.0, 24.0), 0.45),
    "cross_border": (cal.CROSS_BORDER_ROUTE_SHARE, "JDGJ", (1.2, 2.0), (28.0, 32.0), 0.3),
}
ROADS = (
    "人民路 上海路 太平路 县府街 郑和路 长春路 北京路 南京路 东仓路 常胜路 娄江路 新华路 朝阳路 "
    "半泾路 弇山路 苏州路 沪太路 东亭路 洛阳路 宁波路 广州路 江南路 白云路 岳王路 陆渡路 浏太路"
).split()
STOP_SUFFIXES = ("站", "路口", "小区", "新村", "社区", "公交站", "中学", "医院")


@dataclass
class Route:
    short_name: str
    kind: str
    agency_id: str
    long_name: str
    stop_ids: list[str]
    stop_names: list[str]
    lats: np.ndarray
    lons: np.ndarray
    speed_kmh: float
    first_departure_min: int
    last_departure_min: int  # after 23:30 on night routes, whose last trips end past 24:00
    demand: float  # relative ridership: scales the route's frequency
    trips_per_direction: dict[date, int] = field(default_factory=dict)  # weekday, per version

    @property
    def is_night(self) -> bool:
        return self.last_departure_min >= 1410

    @cached_property
    def length_km(self) -> float:
        """Stop-to-stop length, as a reader of a feed without shapes would measure it."""
        return float(segment_km(self.lats, self.lons).sum())


def segment_km(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Haversine distances between consecutive points."""
    lat1, lat2 = np.radians(lats[:-1]), np.radians(lats[1:])
    dlat, dlon = lat2 - lat1, np.radians(lons[1:] - lons[:-1])
    a = np.sin(dlat / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


def _offset(lat: float, lon: float, north_km: float, east_km: float) -> tuple[float, float]:
    return (
        lat + north_km / KM_PER_DEGREE_LAT,
        lon + east_km / (KM_PER_DEGREE_LAT * np.cos(np.radians(lat))),
    )


class NetworkBuilder:
    """Creates routes with unique names and stop ids; one instance per generated dataset."""

    def __init__(self, rng: np.random.Generator, tables: CodeTables):
        self.rng, self.tables = rng, tables
        self.counters = {"urban": 100, "town": 200, "feeder": 0, "cross_border": 0}
        self.stop_count = 0
        rural = [t for t in tables.towns if t.code not in cal.URBAN_TOWNS]
        urban = [t for t in tables.towns if t.code in cal.URBAN_TOWNS]
        self.rural, self.urban = rural, urban

    def _name(self, kind: str) -> str:
        self.counters[kind] += 1
        n = self.counters[kind]
        if kind == "feeder":
            return f"S{n}"
        if kind == "cross_border":
            return f"C{n}"
        # Large scales: urban routes continue at 1000–1999 and town routes at 2000–2999; past
        # those (a provincial network) they carry a letter, so the two series never meet.
        if kind == "urban" and n >= 1200:
            return f"U{n}"
        if kind == "town" and n >= 1300:
            return f"T{n}"
        if kind == "urban" and n >= 200:
            return str(n + 800)
        if kind == "town" and n >= 300:
            return str(n + 1700)
        return str(n)

    def _ends(self, kind: str):
        rng = self.rng
        pick = lambda towns: towns[rng.integers(len(towns))]  # noqa: E731
        if kind == "urban":
            a, b = pick(self.urban), pick(self.urban)
            return (
                a,
                b,
                _offset(a.lat, a.lon, *rng.normal(0, 2.6, 2)),
                _offset(b.lat, b.lon, *rng.normal(0, 2.6, 2)),
            )
        if kind == "town":
            a, b = pick(self.rural), pick(self.urban)
            return (
                a,
                b,
                _offset(a.lat, a.lon, *rng.normal(0, 0.8, 2)),
                _offset(b.lat, b.lon, *rng.normal(0, 1.5, 2)),
            )
        if kind == "feeder":
            a = pick(self.rural)
            return (
                a,
                a,
                _offset(a.lat, a.lon, *rng.normal(0, 2.2, 2)),
                _offset(a.lat, a.lon, *rng.normal(0, 2.2, 2)),
            )
        a = pick(self.urban)
        far = _offset(*SHANGHAI_DIRECTION, *rng.normal(0, 2.0, 2))
        return a, None, _offset(a.lat, a.lon, *rng.normal(0, 1.0, 2)), far

    def route(self, kind: str) -> Route:
        rng = self.rng
        for _ in range(50):  # resample endpoints that are too close for a bus route
            town_a, town_b, start, end = self._ends(kind)
            straight = float(
                segment_km(np.array([start[0], end[0]]), np.array([start[1], end[1]]))[0]
            )
            if straight >= (3.0 if kind == "feeder" else 5.0):
                break
        _, agency, spacing, speed, _ = KINDS[kind]
        # Polyline start → two bent waypoints → end; stops at regular arc-length steps.
        t = np.array([0.0, 1 / 3, 2 / 3, 1.0])
        lats = start[0] + t * (end[0] - start[0])
        lons = start[1] + t * (end[1] - start[1])
        bend = rng.normal(0, 0.12 * straight, 2) / KM_PER_DEGREE_LAT
        lats[1:3] += bend * np.cos(np.radians(30))
        lons[1:3] -= bend * np.sin(np.radians(30))
        cumulative = np.r_[0.0, np.cumsum(segment_km(lats, lons))]
        steps = rng.uniform(*spacing, int(cumulative[-1] / spacing[0]) + 2)
        at = np.r_[0.0, np.cumsum(steps)]
        at = np.r_[at[at < cumulative[-1] - spacing[0] / 2], cumulative[-1]]
        stop_lats = np.interp(at, cumulative, lats) + rng.normal(0, 0.00018, at.size)
        stop_lons = np.interp(at, cumulative, lons) + rng.normal(0, 0.00022, at.size)
        names = [
            f"{ROADS[rng.integers(len(ROADS))]}{STOP_SUFFIXES[rng.integers(len(STOP_SUFFIXES))]}"
            for _ in range(at.size)
        ]
        terminal = [ROADS[i] for i in rng.choice(len(ROADS), 2, replace=False)]
        names[0] = f"{town_a.label_zh if kind == 'town' else terminal[0]}公交首末站"
        names[-1] = f"{terminal[1]}公交首末站" if town_b else "嘉定北公交枢纽"
        ids = [f"ST{self.stop_count + i:06d}" for i in range(at.size)]
        self.stop_count += at.size
        night = kind == "urban" and rng.random() < 0.15
        return Route(
            short_name=self._name(kind),
            kind=kind,
            agency_id=agency,
            long_name=f"{names[0].removesuffix('公交首末站')}—{names[-1].removesuffix('公交首末站')}",
            stop_ids=ids,
            stop_names=names,
            lats=np.round(stop_lats, 6),
            lons=np.round(stop_lons, 6),
            speed_kmh=float(rng.uniform(*speed)),
            first_departure_min=int(rng.integers(330, 391)),
            last_departure_min=int(rng.integers(1425, 1436) if night else rng.integers(1170, 1291)),
            demand=float(KINDS[kind][4] * rng.lognormal(0, 0.3)),
        )


@dataclass
class Network:
    versions: tuple[date, ...]
    routes: list[Route]  # every route of every version

    def routes_in(self, version: date) -> list[Route]:
        return [r for r in self.routes if version in r.trips_per_direction]

    def version_at(self, day: date) -> date:
        """The feed in force on `day` (the first feed for days before any feed)."""
        return max((v for v in self.versions if v <= day), default=self.versions[0])


def _kind_counts(n: int) -> dict[str, int]:
    counts = {k: max(1, round(n * KINDS[k][0])) for k in ("cross_border", "feeder", "town")}
    return {"urban": max(1, n - sum(counts.values())), **counts}


def _solve_frequency(routes: list[Route], target_km: float) -> float:
    """K such that Σ 2·length·max(3, round(K·weight)) is closest to the target."""
    lengths = np.array([r.length_km for r in routes])
    weights = np.array([r.demand for r in routes])

    def km(k: float) -> float:
        return float((2 * lengths * np.maximum(3, np.round(k * weights))).sum())

    low, high = 0.1, 1000.0
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if km(middle) < target_km else (low, middle)
    return high if abs(km(high) - target_km) < abs(km(low) - target_km) else low


def build_network(rng: np.random.Generator, tables: CodeTables, scale: float, as_of: date):
    """Routes of every feed version up to `as_of`, with weekday trips per direction."""
    versions = tuple(v for v in cal.GTFS_VERSIONS if v <= as_of)
    builder = NetworkBuilder(rng, tables)
    n_routes = max(6, round(cal.BUS_ROUTES_2020 * scale))
    current = [builder.route(k) for k, c in _kind_counts(n_routes).items() for _ in range(c)]
    if not any(r.is_night for r in current):  # every feed has trips past midnight
        current[0].last_departure_min = 1425
    target_km = cal.BUS_KM_PER_WEEKDAY_2020 * n_routes / cal.BUS_ROUTES_2020
    k = _solve_frequency(current, target_km)
    for route in current:
        route.trips_per_direction[versions[0]] = max(3, round(k * route.demand))
    routes = list(current)
    for previous, version in zip(versions, versions[1:], strict=False):
        own = [r for r in current if r.kind != "cross_border" and not r.is_night]
        n_drop = max(1, round(len(current) * cal.GTFS_ROUTES_DROPPED))
        dropped = {own[i].short_name for i in rng.choice(len(own), n_drop, replace=False)}
        current = [r for r in current if r.short_name not in dropped]
        for route in current:  # surviving routes keep their timetable
            route.trips_per_direction[version] = route.trips_per_direction[previous]
        n_add = max(1, round(len(current) * cal.GTFS_ROUTES_ADDED))
        shares = np.array([KINDS[kind][0] for kind in ("urban", "town", "feeder")])
        for kind in np.array(["urban", "town", "feeder"])[
            rng.choice(3, n_add, p=shares / shares.sum())
        ]:
            route = builder.route(str(kind))
            route.trips_per_direction[version] = max(3, round(k * route.demand))
            current.append(route)
            routes.append(route)
    return Network(versions=versions, routes=routes)
