"""Every registered vehicle that is not a bus or a taxi: private cars, company fleets, trucks,
motorcycles, and the official / police / sanitation / postal vehicles in the EV indicator.

Vehicles are drawn year by year (a chunk of years at a time, so scale 10 stays in bounded
memory); each gets a scrap age and a transfer-out age, so the same draw gives its status in
any snapshot. Public-unit counts are set per year, their electric share by procurement year.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from pipelines.generate import calibration as cal
from pipelines.generate.codes import CodeTables
from pipelines.generate.owners import OwnerPools
from pipelines.generate.plates import PlateBook
from pipelines.generate.segments import (
    LARGE_TYPES,
    MOTORCYCLE_PLATE_TYPES,
    OTHER_PREFIXES,
    PUBLIC_SEGMENTS,
    SEGMENTS,
    TRANSFERABLE,
    Segment,
)
from pipelines.generate.vehicles import (
    admin_codes,
    by_year,
    draw,
    labelled,
    pick,
    plates_by_era,
    record_frame,
    uniform_days,
    years_of,
)
from pipelines.generate.vins import make_vins

CHUNK_ROWS = 250_000  # rows per chunk: bounds memory at large scales


def _segment_records(
    rng,
    segment: Segment,
    days: np.ndarray,
    p_nev: np.ndarray,
    book: PlateBook,
    owners: OwnerPools,
    towns: list[str],
    town_weights: np.ndarray,
    ids: np.ndarray,
) -> pl.DataFrame:
    """Records of `days.size` vehicles of one segment, first registered on `days`."""
    n = days.size
    types = list(segment.vehicle_types)
    vehicle_type = draw(rng, segment.vehicle_types, n)
    large = np.array([t.startswith(LARGE_TYPES) for t in types])[vehicle_type]
    nev = rng.random(n) < p_nev
    phev = (segment.vin_class == "car") & (rng.random(n) < cal.PHEV_SHARE_OF_NEV_CARS)
    fuels = [*segment.fuels, "C", "AC"]
    fuel = np.where(nev, len(fuels) - 2 + phev, draw(rng, segment.fuels, n))
    prefixes = np.full(n, "苏E", dtype="<U2")
    if segment.owner in TRANSFERABLE and segment.plate_kind == "ordinary":
        away = rng.random(n) < cal.OTHER_PROVINCE_SHARE
        prefixes[away] = pick(rng, OTHER_PREFIXES, int(away.sum()))
    plates, plate_types = np.empty(n, "<U8"), np.empty(n, "<U2")
    for is_large in (False, True):
        rows = np.flatnonzero(large == is_large)
        green = nev[rows] & segment.green_plates
        plates[rows], plate_types[rows] = plates_by_era(
            book, green, is_large, days[rows], prefixes[rows], segment.plate_kind,
            segment.plate_type,
        )  # fmt: skip
    if segment.vin_class == "motorcycle":
        plate_types = np.array([MOTORCYCLE_PLATE_TYPES[t] for t in types])[vehicle_type]
    scrap = segment.life_years * rng.weibull(3.0, n)
    moves = np.full(n, np.inf)
    if segment.owner in TRANSFERABLE:
        moves = rng.exponential(1 / cal.TRANSFER_OUT_PER_YEAR, n)
    age = np.minimum(np.minimum(scrap, moves), 200.0)
    return record_frame(
        plate=plates,
        plate_type=plate_types,
        vin=make_vins(rng, segment.vin_class, years_of(days), ids),
        vehicle_type=labelled(types, vehicle_type),
        usage=labelled(list(segment.usages), draw(rng, segment.usages, n)),
        fuel=labelled(fuels, fuel),
        first_registered_on=days,
        exit_kind=labelled(["E", "B"], (moves < scrap).astype(np.int64)),
        exit_on=days + (age * 365.25).astype("timedelta64[D]"),
        owner=owners.series.gather(owners.draw(rng, segment.owner, n)),
        admin_code=admin_codes(rng, towns, town_weights, n),
        status_draw=rng.random(n).astype(np.float32),
    )


def _year_span(year: int, as_of: date) -> tuple[date, date, float]:
    end = min(date(year, 12, 31), as_of)
    return date(year, 1, 1), end, ((end - date(year, 1, 1)).days + 1) / 365


def vehicle_chunks(
    rng, tables: CodeTables, scale: float, as_of: date, book: PlateBook, fleet_records: pl.DataFrame
):
    """Record frames, a few years per frame in year order: background vehicles, public units
    and the given fleet records (buses, taxis) merged into the years they belong to."""
    owners = OwnerPools(tables, scale)
    towns = [t.code for t in tables.towns]
    town_weights = np.array([cal.TOWN_RESIDENTS_2020[c] for c in towns], dtype=float)
    extra = pl.concat(
        [fleet_records, _public_units(rng, scale, as_of, book, owners, towns, town_weights)]
    )
    extra_years = extra["first_registered_on"].dt.year().to_numpy()
    weights = np.array(cal.NEW_REGISTRATIONS_BY_YEAR, dtype=float)
    per_weight = cal.REGISTRATION_RECORDS * scale / weights.sum()
    shares = np.array([s.share for s in SEGMENTS.values()])
    pending: list[tuple[int, np.ndarray]] = []  # (year, count per segment) of the open chunk
    next_id, first_year = 0, -1
    for year in range(cal.FIRST_REGISTRATION_YEAR, as_of.year + 1):
        weight = weights[min(year - cal.FIRST_REGISTRATION_YEAR, weights.size - 1)]
        fraction = _year_span(year, as_of)[2]
        pending.append(
            (year, rng.multinomial(round(weight * per_weight * fraction), shares / shares.sum()))
        )
        if sum(c.sum() for _, c in pending) < CHUNK_ROWS and year < as_of.year:
            continue
        frames = []
        for index, segment in enumerate(SEGMENTS.values()):
            days = np.concatenate(
                [uniform_days(rng, *_year_span(y, as_of)[:2], int(c[index])) for y, c in pending]
            )
            p_nev = (
                by_year(cal.NEV_SHARE[segment.nev], years_of(days))
                if segment.nev
                else np.zeros(days.size)
            )
            frames.append(
                _segment_records(
                    rng,
                    segment,
                    days,
                    p_nev,
                    book,
                    owners,
                    towns,
                    town_weights,
                    next_id + np.arange(days.size),
                )
            )
            next_id += days.size
        last = year if year < as_of.year else 10_000
        in_chunk = (extra_years > first_year) & (extra_years <= last)
        chunk = pl.concat([*frames, extra.filter(pl.Series(in_chunk))])
        yield chunk[rng.permutation(chunk.height)]  # mixed kinds within a day, as exported
        pending, first_year = [], year


def _public_units(rng, scale, as_of, book, owners, towns, town_weights) -> pl.DataFrame:
    """Official, police, sanitation and postal vehicles: set counts per year (at least two a
    year from 2015 so small scales still have a trend), electric by procurement year."""
    frames = []
    for number, (category, per_year) in enumerate(cal.PUBLIC_UNIT_VEHICLES_PER_YEAR.items()):
        days = []
        for year in range(2005, as_of.year + 1):
            start, end, fraction = _year_span(year, as_of)
            expected = per_year * scale * fraction * (0.7 if year < 2015 else 1.0)
            count = max(2 if year >= 2015 else 0, int(rng.poisson(expected)))
            days.append(uniform_days(rng, start, end, count))
        days = np.concatenate(days)
        p_ev = by_year(cal.PUBLIC_UNIT_EV_PROBABILITY[category], years_of(days))
        ids = 28_000_000 + number * 500_000 + np.arange(days.size)
        frames.append(
            _segment_records(
                rng, PUBLIC_SEGMENTS[category], days, p_ev, book, owners, towns, town_weights, ids
            )
        )
    return pl.concat(frames)
