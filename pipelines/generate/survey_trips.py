"""One survey day per person: home-based tours, destinations by town, a mode per tour.

Modes come from a logit on distance, car and e-bike ownership, age and urban residence; the
constants per wave (calibration.MODE_CONSTANTS) were tuned once so the weighted shares land
near the bureau's narrative, but the shares themselves are whatever this simulation yields.
Travel times follow from distance and a speed drawn per trip, always below the plausibility
limits (walk < 10 km/h, bicycle < 35 km/h); a trip past midnight arrives at e.g. `24:35`.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.generate import calibration as cal
from pipelines.generate.codes import CodeTables
from pipelines.generate.network import segment_km

MODES = np.arange(1, 13)  # travel_mode codes
# mode: (speed km/h range, fixed minutes range: access, waiting, parking)
# fmt: off
SPEEDS = {1: ((3.8, 5.2), (0, 0)), 2: ((9, 14), (1, 2)), 3: ((14, 22), (1, 2)),
          4: ((13, 20), (6, 15)), 5: ((30, 45), (8, 15)), 6: ((25, 35), (3, 8)),
          7: ((25, 35), (3, 8)), 8: ((25, 40), (2, 6)), 9: ((25, 40), (2, 6)),
          10: ((20, 30), (1, 2)), 11: ((20, 30), (3, 8)), 12: ((10, 25), (1, 5))}
# fmt: on
TRIPS_PER_PERSON = {0: 0.10, 2: 0.58, 3: 0.12, 4: 0.17, 5: 0.03}
# purposes by trip position for 2..5 trips (0 = primary, -1 = secondary, 9 = home)
PATTERNS = {2: [0, 9], 3: [0, -1, 9], 4: [0, 9, -1, 9], 5: [0, -1, 9, -1, 9]}
TOURS = {2: [0, 0], 3: [0, 0, 0], 4: [0, 0, 1, 1], 5: [0, 0, 0, 1, 1]}
PATTERN_TABLE = np.array([(PATTERNS.get(c, []) + [9] * 5)[:5] for c in range(6)])
TOUR_TABLE = np.array([(TOURS.get(c, []) + [2] * 5)[:5] for c in range(6)])  # 2 = no trip
SECONDARY = {4: 0.35, 5: 0.2, 6: 0.12, 7: 0.08, 8: 0.15, 3: 0.05, 10: 0.05}
# fmt: off
STAY_MINUTES = {1: (480, 570), 2: (450, 510), 3: (60, 180), 4: (20, 90), 5: (60, 180),
                6: (60, 180), 7: (40, 120), 8: (5, 30), 9: (60, 240), 10: (20, 120)}
# fmt: on
# Lookup arrays indexed by code (0 = no trip at this position).
SPEED_RANGE = np.array([SPEEDS.get(m, ((1, 1), (0, 0)))[0] for m in range(13)], dtype=float)
FIXED_RANGE = np.array([SPEEDS.get(m, ((1, 1), (0, 0)))[1] for m in range(13)], dtype=float)
STAY_RANGE = np.array([STAY_MINUTES.get(p, (0, 0)) for p in range(11)], dtype=float)


def _between(rng, ranges: np.ndarray, codes: np.ndarray) -> np.ndarray:
    return rng.uniform(ranges[codes, 0], ranges[codes, 1])


def _primary_purpose(rng, occupation: np.ndarray) -> np.ndarray:
    keys = np.array(list(SECONDARY))
    p = np.array(list(SECONDARY.values()))
    other = keys[rng.choice(keys.size, occupation.size, p=p / p.sum())]
    working = np.isin(occupation, ["企业职工", "个体经营", "机关事业单位", "农民"])
    return np.where(
        working & (rng.random(occupation.size) < 0.9), 1, np.where(occupation == "学生", 2, other)
    )


def _utilities(people: pl.DataFrame, distance: np.ndarray, purpose: np.ndarray, wave: int):
    c = cal.MODE_CONSTANTS[wave]
    age = people["age"].to_numpy()
    cars = people["cars"].to_numpy() > 0
    ebikes = people["ebikes"].to_numpy() > 0
    urban = people["urban"].to_numpy()
    can_drive = cars & (age >= 20) & (age <= 72)
    off = -30.0
    return np.stack(
        [
            c[0] - 1.1 * distance,
            c[1] - 0.30 * distance - 1.0 * (age > 75),
            c[2] - 0.10 * distance + np.where(ebikes, 0, -2.5) - 1.5 * (age > 72) - 3 * (age < 16),
            c[3] - 0.03 * distance + 0.4 * urban + 0.6 * (age >= 60) + 0.3 * (purpose == 2),
            np.full(distance.size, off),  # no rail inside Taicang
            c[4] - 0.05 * distance + 0.3 * urban,
            c[5] - 0.05 * distance + 0.5 * urban,
            c[6] + np.where(can_drive, 1.5, off) - 0.01 * distance,
            c[7] + np.where(cars, 0.5, -1.0) + 0.8 * (age < 18),
            c[8] - 0.05 * distance - 1.0 * urban,
            c[9] + np.where(np.isin(purpose, [1, 2]), 0, off),
            np.full(distance.size, c[10]),
        ],
        axis=1,
    )


def _choose(rng, utilities: np.ndarray) -> np.ndarray:
    """Gumbel-max draw = a multinomial logit choice."""
    return MODES[np.argmax(utilities + rng.gumbel(size=utilities.shape), axis=1)]


def _distances(rng, tables: CodeTables, origin: np.ndarray, dest: np.ndarray, urban: np.ndarray):
    index = {t.code: i for i, t in enumerate(tables.towns)}
    lat = np.array([t.lat for t in tables.towns])
    lon = np.array([t.lon for t in tables.towns])
    o = np.array([index[c] for c in origin], dtype=int)
    d = np.array([index[c] for c in dest], dtype=int)
    between = segment_km(np.stack([lat[o], lat[d]]), np.stack([lon[o], lon[d]]))[0]
    local = np.clip(rng.lognormal(np.log(np.where(urban, 2.2, 1.4)), 0.7), 0.2, 12)
    across = np.maximum(between * rng.uniform(0.85, 1.25, o.size) + rng.normal(0, 1, o.size), 1.5)
    return np.round(np.where(o == d, local, across), 1)


def simulate_trips(rng, tables: CodeTables, people: pl.DataFrame, wave: int) -> pl.DataFrame:
    """Trips of everyone aged 6+, in the columns of trips.csv (times in minutes)."""
    people = people.filter(pl.col("age") >= 6)
    n = people.height
    counts = np.array(list(TRIPS_PER_PERSON))[
        rng.choice(len(TRIPS_PER_PERSON), n, p=list(TRIPS_PER_PERSON.values()))
    ]
    occupation = people["occupation"].to_numpy()
    primary = _primary_purpose(rng, occupation)
    night_shift = (primary == 1) & (rng.random(n) < 0.02)
    home = people["home_town"].to_numpy()
    urban = people["urban"].to_numpy()
    towns = np.array([t.code for t in tables.towns])
    population = np.array([cal.TOWN_RESIDENTS_2020[c] for c in towns], dtype=float)
    positions = range(max(PATTERNS))
    purpose = np.zeros((n, len(positions)), dtype=int)
    dest = np.empty((n, len(positions)), dtype=object)
    origin = np.empty_like(dest)
    distance = np.zeros((n, len(positions)))
    keys = np.array(list(SECONDARY))
    weights = np.array(list(SECONDARY.values()))
    here = home.copy()
    for k in positions:
        pattern = PATTERN_TABLE[counts, k]
        secondary = keys[rng.choice(keys.size, n, p=weights / weights.sum())]
        purpose[:, k] = np.where(pattern == 0, primary, np.where(pattern == -1, secondary, 9))
        stay_local = rng.random(n) < np.where(urban, 0.62, 0.8)
        elsewhere = towns[rng.choice(towns.size, n, p=population / population.sum())]
        dest[:, k] = np.where(purpose[:, k] == 9, home, np.where(stay_local, home, elsewhere))
        origin[:, k] = here
        distance[:, k] = _distances(rng, tables, here, dest[:, k], urban)
        here = dest[:, k]
    tour = TOUR_TABLE[counts]
    mode = np.zeros_like(purpose)
    for t in (0, 1):
        in_tour = tour == t
        longest = np.where(in_tour, distance, 0).max(axis=1)
        first = np.where(in_tour.any(axis=1), purpose[np.arange(n), in_tour.argmax(axis=1)], 9)
        chosen = _choose(rng, _utilities(people, longest, first, wave))
        mode = np.where(in_tour, chosen[:, None], mode)
    start = np.select(
        [night_shift, primary == 1, primary == 2],
        [rng.uniform(930, 965, n), rng.normal(435, 35, n), rng.normal(425, 20, n)],
        rng.normal(540, 80, n),
    )
    depart = np.zeros_like(distance)
    arrive = np.zeros_like(distance)
    clock = np.clip(start, 300, 1380)
    for k in positions:
        speed = _between(rng, SPEED_RANGE, mode[:, k])
        fixed = _between(rng, FIXED_RANGE, mode[:, k])
        depart[:, k] = np.round(clock)
        arrive[:, k] = depart[:, k] + np.maximum(1, np.ceil(distance[:, k] / speed * 60 + fixed))
        stay = _between(rng, STAY_RANGE, purpose[:, k])
        stay = np.where(night_shift & (purpose[:, k] == 1), rng.uniform(470, 500, n), stay)
        clock = arrive[:, k] + stay
    made = (np.arange(len(positions))[None, :] < counts[:, None]) & (
        np.cumsum(depart >= 1440, axis=1) == 0
    )
    person, k = np.nonzero(made)
    return pl.DataFrame(
        {
            "hh_id": people["hh_id"].gather(person),
            "person_no": people["person_no"].gather(person),
            "trip_no": k + 1,
            "depart_min": depart[person, k].astype(int),
            "arrive_min": arrive[person, k].astype(int),
            "origin_town": origin[person, k].astype(str),
            "dest_town": dest[person, k].astype(str),
            "purpose": purpose[person, k],
            "main_mode": mode[person, k],
            "distance_km": distance[person, k],
            "trip_weight": people["person_weight"].gather(person),
        }
    )
