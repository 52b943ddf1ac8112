"""The bus operator's fleet history: one row per bus ever in service, 2004 to `as_of`.

The fleet in service on 2020-12-31 is built first, with exactly the published size and
new/clean count; earlier buses retired before that day, later buses replace retirements
(almost all battery-electric). How far the clean share rises by `as_of` is then up to the
simulated retirements and purchases, not written anywhere.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from pipelines.generate import calibration as cal
from pipelines.generate.codes import FUEL_BY_POWERTRAIN, CodeTables
from pipelines.generate.plates import PlateBook
from pipelines.generate.vehicles import pick, plates_by_era, record_frame, uniform_days, years_of
from pipelines.generate.vins import make_vins

FACT_DAY = np.datetime64(cal.FLEET_FACT_DATE, "D")
# length m: (weight, vehicle type, seat range)
BODIES = {
    12.0: (0.35, "K11", (30, 38)),
    10.5: (0.35, "K11", (24, 32)),
    8.5: (0.24, "K21", (18, 24)),
    6.6: (0.06, "K21", (12, 17)),
}
BUS_LABEL_EXCLUDE = ("油电混合",)  # a petrol hybrid is a car thing; buses are diesel/gas hybrids


def fleet_2020_size(scale: float) -> tuple[int, int]:
    """Buses in service on 2020-12-31 and how many are new/clean (exact at scale 1)."""
    total = max(24, round(cal.BUSES_2020 * scale))
    return total, round(total * cal.CLEAN_BUSES_2020 / cal.BUSES_2020)


def _largest_remainder(total: int, shares: dict[str, float]) -> dict[str, int]:
    raw = {k: total * v / sum(shares.values()) for k, v in shares.items()}
    counts = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: counts[k] - raw[k])[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


def _life_days(rng: np.random.Generator, n: int) -> np.ndarray:
    return (rng.uniform(*cal.BUS_LIFE_YEARS, n) * 365.25).astype("timedelta64[D]")


def _cohort_2020(
    rng: np.random.Generator, scale: float
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(powertrain, in_service_on, retired_on) groups of the fleet of 2020-12-31."""
    total, clean = fleet_2020_size(scale)
    groups = {"DIESEL": total - clean, **_largest_remainder(clean, cal.BUS_CLEAN_MIX_2020)}
    cohorts = []
    for powertrain, count in groups.items():
        first, last = cal.BUS_PURCHASE_YEARS_2020[powertrain]
        start = uniform_days(
            rng, date(first, 1, 1), min(date(last, 12, 31), cal.FLEET_FACT_DATE), count
        )
        retire = start + _life_days(rng, count)
        kept = retire <= FACT_DAY  # past its life but still running: replaced after 2020
        retire[kept] = uniform_days(rng, date(2021, 1, 1), date(2022, 6, 30), int(kept.sum()))
        cohorts.append((powertrain, start, retire))
    return cohorts


def _retired_before_2020(rng: np.random.Generator, scale: float):
    count = round(fleet_2020_size(scale)[0] * cal.BUS_RETIRED_BEFORE_2020)
    start = uniform_days(rng, date(2004, 1, 1), date(2012, 12, 31), count)
    retire = start + _life_days(rng, count)
    late = retire > FACT_DAY
    retire[late] = FACT_DAY - rng.integers(0, 400, int(late.sum())).astype("timedelta64[D]")
    powertrain = pick(rng, {"DIESEL": 0.85, "CNG": 0.10, "LNG": 0.05}, count)
    return [(p, start[powertrain == p], retire[powertrain == p]) for p in ("DIESEL", "CNG", "LNG")]


def _purchases_after_2020(rng, scale: float, retirements: np.ndarray, as_of: date):
    """Replacements for each year's retirements plus ~1% growth, bought in two batches."""
    growth = max(1, round(fleet_2020_size(scale)[0] * cal.BUS_FLEET_GROWTH_PER_YEAR))
    cohorts = []
    for year in range(2021, as_of.year + 1):
        batches = [d for d in (date(year, 3, 15), date(year, 9, 20)) if d <= as_of]
        if not batches:
            continue
        retiring = int((years_of(retirements) == year).sum())
        count = retiring + growth
        start = np.array(batches, dtype="datetime64[D]")[rng.integers(0, len(batches), count)]
        start = start + rng.integers(0, 10, count).astype("timedelta64[D]")
        for powertrain in cal.BUS_PURCHASE_MIX_AFTER_2020:
            chosen = pick(rng, cal.BUS_PURCHASE_MIX_AFTER_2020, count) == powertrain
            cohorts.append(
                (powertrain, start[chosen], start[chosen] + _life_days(rng, int(chosen.sum())))
            )
    return cohorts


def powertrain_labels(rng, tables: CodeTables, powertrain: np.ndarray, exclude=()) -> np.ndarray:
    """A ledger spelling per vehicle: the usual label mostly, variants sometimes."""
    labels = np.empty(powertrain.size, dtype=object)
    for code in dict.fromkeys(powertrain.tolist()):
        options = [x for x in tables.powertrain_labels[code] if x not in exclude]
        weights = np.array([4.0] + [1.0] * (len(options) - 1))
        rows = np.flatnonzero(powertrain == code)
        labels[rows] = np.array(options)[
            rng.choice(len(options), rows.size, p=weights / weights.sum())
        ]
    return labels


def simulate_buses(rng, tables: CodeTables, scale: float, as_of: date, book: PlateBook):
    """(bus table, registration records) for every bus in service at any time up to as_of."""
    cohorts = _cohort_2020(rng, scale) + _retired_before_2020(rng, scale)
    retirements = np.concatenate([c[2] for c in cohorts])
    cohorts += _purchases_after_2020(rng, scale, retirements, as_of)
    powertrain = np.concatenate([np.full(c[1].size, c[0]) for c in cohorts])
    start = np.concatenate([c[1] for c in cohorts])
    retire = np.concatenate([c[2] for c in cohorts])
    order = np.lexsort((rng.random(start.size), start))
    powertrain, start, retire = powertrain[order], start[order], retire[order]
    n = start.size
    lengths = np.array(list(BODIES))[rng.choice(len(BODIES), n, p=[b[0] for b in BODIES.values()])]
    seats = np.array([rng.integers(BODIES[x][2][0], BODIES[x][2][1] + 1) for x in lengths])
    labels = powertrain_labels(rng, tables, powertrain, BUS_LABEL_EXCLUDE)
    fuel = np.array([FUEL_BY_POWERTRAIN[p] for p in powertrain], dtype=object)
    phev = powertrain == "PHEV"
    fuel[phev] = np.where(["LNG" in str(x) for x in labels[phev]], "EC", "BC")
    first_registered = start - rng.integers(7, 46, n).astype("timedelta64[D]")
    is_new_energy = np.array([tables.energy_class[x] == "new_energy" for x in labels])
    plates, plate_types = plates_by_era(book, is_new_energy, True, first_registered)
    operator = np.where(
        rng.random(n) < cal.BUS_OPERATOR_2_SHARE, cal.BUS_OPERATORS[1], cal.BUS_OPERATORS[0]
    )
    fleet_no = [f"TC{i + 1:04d}" for i in range(n)]
    buses = pl.DataFrame(
        {
            "fleet_no": fleet_no,
            "plate": plates,
            "length_m": lengths,
            "seats": seats,
            "powertrain": powertrain,
            "powertrain_label": labels.astype(str),
            "in_service_on": start,
            "retire_on": retire,
            "operator": operator,
            "is_new_energy": is_new_energy,
        }
    )
    deregistered = retire + rng.integers(5, 91, n).astype("timedelta64[D]")
    records = record_frame(
        plate=plates,
        plate_type=plate_types,
        vin=make_vins(rng, "bus", years_of(first_registered), rng.permutation(n) + 30_000_000),
        vehicle_type=np.array([BODIES[x][1] for x in lengths]),
        usage=np.full(n, "C"),
        fuel=fuel.astype(str),
        first_registered_on=first_registered,
        exit_kind=np.full(n, "E"),
        exit_on=deregistered,
        owner=operator,
        admin_code=np.where(operator == cal.BUS_OPERATORS[0], "320585100", "320585400"),
    )
    return buses, records
