"""Taxi register history: street-hail licences renewed vehicle by vehicle, ride-hailing cars.

Each street-hail licence runs one car at a time; a car is scrapped after 6–8 years and the
replacement's powertrain is drawn with the new-energy probability of its year (higher in
the urban area than in the towns). The urban new-energy share on any day follows from
which licences happened to renew when, not from a written value.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from pipelines.generate import calibration as cal
from pipelines.generate.bus_fleet import powertrain_labels
from pipelines.generate.codes import FUEL_BY_POWERTRAIN, CodeTables
from pipelines.generate.owners import PRIVATE, TRADE_NAMES
from pipelines.generate.plates import PlateBook
from pipelines.generate.vehicles import (
    admin_codes,
    by_year,
    pick,
    plates_by_era,
    record_frame,
    uniform_days,
    years_of,
)
from pipelines.generate.vins import make_vins

STREET_HAIL, RIDE_HAILING = "巡游出租车", "网约车"
URBAN_AREA = "市区"
URBAN_COMPANIES = tuple(f"太仓市{t}出租汽车有限公司" for t in ("娄城", "顺达", "金鹰", "港城"))
RIDE_HAILING_COMPANIES = tuple(f"苏州{t}出行科技有限公司" for t in TRADE_NAMES[5:9]) + tuple(
    f"太仓市{t}汽车服务有限公司" for t in TRADE_NAMES[9:11]
)
NEV_MIX = {"BEV": 0.85, "PHEV": 0.15}
STREET_HAIL_FUEL_MIX = {"BIFUEL": 0.55, "PETROL": 0.2, "CNG": 0.15, "HEV": 0.10}
RIDE_HAILING_FUEL_MIX = {"PETROL": 0.7, "HEV": 0.3}
TAXI_LABEL_EXCLUDE = (
    "插电式混合动力(柴油)",
    "插电式混合动力(LNG)",
    "LNG插电式混合动力",
    "柴油插电式混合动力",
    "柴电混合",
    "气电混合",
)


def _street_hail(rng, tables: CodeTables, scale: float, as_of: date) -> pl.DataFrame:
    urban = max(10, round(cal.TAXI_URBAN_LICENCES * scale))
    towns = max(5, round(cal.TAXI_TOWN_LICENCES * scale))
    rural = [t.label_zh for t in tables.towns if t.code not in cal.URBAN_TOWNS]
    area = np.r_[np.full(urban, URBAN_AREA), np.array(rural)[rng.integers(0, len(rural), towns)]]
    company = np.where(
        area == URBAN_AREA,
        np.array(URBAN_COMPANIES)[rng.integers(0, 4, area.size)],
        np.char.add(np.char.add("太仓市", area), "出租汽车服务有限公司"),
    )
    first_year = pick(rng, {str(k): v for k, v in cal.TAXI_FIRST_FLEET_YEARS.items()}, area.size)
    start = np.array(
        [uniform_days(rng, date(int(y), 1, 1), date(int(y), 12, 31), 1)[0] for y in first_year]
    )
    licence, starts, exits = [], [], []
    alive = np.arange(area.size)
    limit = np.datetime64(as_of, "D")
    while alive.size:  # one generation of cars per pass
        life = (rng.uniform(*cal.TAXI_LIFE_YEARS, alive.size) * 365.25).astype("timedelta64[D]")
        licence.append(alive)
        starts.append(start)
        exits.append(start + life)
        nxt = start + life + rng.integers(0, 6, alive.size).astype("timedelta64[D]")
        keep = nxt <= limit
        alive, start = alive[keep], nxt[keep]
    licence, start, exit_ = np.concatenate(licence), np.concatenate(starts), np.concatenate(exits)
    p_nev = by_year(cal.TAXI_NEV_PROBABILITY, years_of(start))
    p_nev = np.where(area[licence] == URBAN_AREA, p_nev, p_nev * cal.TAXI_TOWN_NEV_FACTOR)
    nev = rng.random(licence.size) < p_nev
    powertrain = np.where(
        nev, pick(rng, NEV_MIX, nev.size), pick(rng, STREET_HAIL_FUEL_MIX, nev.size)
    )
    return pl.DataFrame(
        {
            "company": company[licence],
            "taxi_kind": STREET_HAIL,
            "powertrain": powertrain,
            "operating_area": area[licence],
            "in_service_on": start,
            "exit_on": exit_,
            "owner": company[licence],
            "first_registered_on": start
            - rng.integers(3, 31, licence.size).astype("timedelta64[D]"),
        }
    )


def _ride_hailing(rng, tables: CodeTables, scale: float, as_of: date) -> pl.DataFrame:
    rural = np.array([t.label_zh for t in tables.towns if t.code not in cal.URBAN_TOWNS])
    frames, active = [], 0.0
    mean_years = 4.0
    for year, target in sorted(cal.RIDE_HAILING_ACTIVE.items()):
        if year > as_of.year:
            break
        entries = max(1, round(target * scale - active * np.exp(-1 / mean_years)))
        start = uniform_days(rng, date(year, 1, 1), min(date(year, 12, 31), as_of), entries)
        stay = (rng.exponential(mean_years, entries).clip(0.3, 9) * 365.25).astype("timedelta64[D]")
        nev = rng.random(entries) < by_year(
            cal.RIDE_HAILING_NEV_PROBABILITY, np.full(entries, year)
        )
        private = rng.random(entries) < 0.65
        company = np.array(RIDE_HAILING_COMPANIES)[
            rng.integers(0, len(RIDE_HAILING_COMPANIES), entries)
        ]
        frames.append(
            pl.DataFrame(
                {
                    "company": company,
                    "taxi_kind": RIDE_HAILING,
                    "powertrain": np.where(
                        nev, pick(rng, NEV_MIX, entries), pick(rng, RIDE_HAILING_FUEL_MIX, entries)
                    ),
                    "operating_area": np.where(
                        rng.random(entries) < 0.9,
                        URBAN_AREA,
                        rural[rng.integers(0, rural.size, entries)],
                    ),
                    "in_service_on": start,
                    "exit_on": start + stay,
                    "owner": np.where(private, PRIVATE, company),
                    "first_registered_on": start
                    - rng.integers(0, 700, entries).astype("timedelta64[D]"),
                }
            )
        )
        active = target * scale
    return pl.concat(frames)


def simulate_taxis(rng, tables: CodeTables, scale: float, as_of: date, book: PlateBook):
    """(taxi table, registration records): street-hail cars carry usage D, ride-hailing A."""
    taxis = pl.concat(
        [_street_hail(rng, tables, scale, as_of), _ride_hailing(rng, tables, scale, as_of)]
    )
    taxis = taxis.sort("in_service_on", "company", maintain_order=True)
    n = taxis.height
    powertrain = taxis["powertrain"].to_numpy()
    labels = powertrain_labels(rng, tables, powertrain, TAXI_LABEL_EXCLUDE)
    is_new_energy = np.array([tables.energy_class[x] == "new_energy" for x in labels])
    first_registered = taxis["first_registered_on"].to_numpy().astype("datetime64[D]")
    plates, plate_types = plates_by_era(book, is_new_energy, False, first_registered)
    street = (taxis["taxi_kind"] == STREET_HAIL).to_numpy()
    exit_on = taxis["exit_on"].to_numpy().astype("datetime64[D]")
    towns = [t.code for t in tables.towns]
    weights = np.array([cal.TOWN_RESIDENTS_2020[c] for c in towns], dtype=float)
    records = record_frame(
        plate=plates,
        plate_type=plate_types,
        vin=make_vins(rng, "car", years_of(first_registered), rng.permutation(n) + 31_000_000),
        vehicle_type=np.where(rng.random(n) < 0.9, "K33", "K31"),
        usage=np.where(street, "D", "A"),
        fuel=np.array([FUEL_BY_POWERTRAIN[p] for p in powertrain]),
        first_registered_on=first_registered,
        exit_kind=np.where(street, "E", None),
        exit_on=np.where(
            street, exit_on + rng.integers(3, 61, n).astype("timedelta64[D]"), np.datetime64("NaT")
        ),
        owner=taxis["owner"].to_numpy(),
        admin_code=admin_codes(rng, towns, weights, n),
    )
    taxis = taxis.with_columns(
        pl.Series("plate", plates),
        pl.Series("powertrain_label", labels.astype(str)),
        pl.Series("is_new_energy", is_new_energy),
    )
    return taxis, records
