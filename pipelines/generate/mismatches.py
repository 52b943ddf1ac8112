"""Cross-source mismatches: a handful of fleet vehicles whose registration disagrees.

Row rules cannot see these; only the reconciliation of ledgers against registrations can:
a plate missing from the registrations, a usage other than C (bus) / D (street-hail taxi), a
ledger that says new-energy while the registration says fuel B/A on an ordinary plate, and a
few buses on routes the GTFS feed does not know. Only injected when the defect rate is > 0.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines.generate.plates import PlateBook

CUSTOM_ROUTES = ("定制1", "定制2", "定制3")  # commuter lines the operator never put in GTFS


def _count(active: int) -> int:
    return min(3, max(1, active // 20))


def _pick(rng, candidates: pl.DataFrame, k: int, taken: set[str], key: str) -> list[str]:
    keys = [x for x in candidates[key].to_list() if x not in taken]
    chosen = [keys[i] for i in sorted(rng.choice(len(keys), size=min(k, len(keys)), replace=False))]
    taken.update(chosen)
    return chosen


def _disagree(table, records, plates: list[str], fuel: str, plate_type: str, book: PlateBook):
    """Registration says conventional: fuel letter, ordinary plate type, a 5-character plate."""
    fresh = dict(zip(plates, book.draw("ordinary", len(plates)).tolist(), strict=True))
    renumber = pl.col("plate").replace(fresh)
    table = table.with_columns(renumber)
    hit = pl.col("plate").is_in(list(fresh.values()))
    records = records.with_columns(renumber).with_columns(
        pl.when(hit).then(pl.lit(fuel)).otherwise(pl.col("fuel")).alias("fuel"),
        pl.when(hit).then(pl.lit(plate_type)).otherwise(pl.col("plate_type")).alias("plate_type"),
    )
    return table, records, list(fresh.values())


def inject(rng, as_of: date, buses, bus_records, taxis, taxi_records, book: PlateBook):
    """Returns the changed tables, route overrides {fleet_no: route} and the manifest part."""
    manifest: dict[str, dict] = {}
    active_buses = buses.filter((pl.col("in_service_on") <= as_of) & (pl.col("retire_on") > as_of))
    k, taken = _count(active_buses.height), set()
    missing = _pick(rng, active_buses, k, taken, "fleet_no")
    usage = _pick(rng, active_buses, k, taken, "fleet_no")
    disagree = _pick(rng, active_buses.filter(pl.col("is_new_energy")), k, taken, "fleet_no")
    overrides = dict(
        zip(_pick(rng, active_buses, min(k, 2), taken, "fleet_no"), CUSTOM_ROUTES, strict=False)
    )
    plate_of = dict(zip(buses["fleet_no"].to_list(), buses["plate"].to_list(), strict=True))
    bus_records = bus_records.filter(~pl.col("plate").is_in([plate_of[f] for f in missing]))
    bus_records = bus_records.with_columns(
        pl.when(pl.col("plate").is_in([plate_of[f] for f in usage]))
        .then(pl.lit("A"))
        .otherwise(pl.col("usage"))
        .alias("usage")
    )
    buses, bus_records, new_plates = _disagree(
        buses, bus_records, [plate_of[f] for f in disagree], "B", "01", book
    )
    for kind, fleet_nos, plates in (
        ("bus_plate_missing_from_registrations", missing, [plate_of[f] for f in missing]),
        ("bus_registration_usage_not_c", usage, [plate_of[f] for f in usage]),
        ("bus_powertrain_disagreement", disagree, new_plates),
        ("bus_route_not_in_gtfs", list(overrides), [plate_of[f] for f in overrides]),
    ):
        manifest[kind] = {"count": len(fleet_nos), "fleet_no": fleet_nos, "plates": plates}
    manifest["bus_route_not_in_gtfs"]["routes"] = list(overrides.values())

    street = taxis.filter(
        (pl.col("taxi_kind") == "巡游出租车")
        & (pl.col("in_service_on") <= as_of)
        & (pl.col("exit_on") > as_of)
    )
    k, taken = _count(street.height), set()
    missing = _pick(rng, street, k, taken, "plate")
    usage = _pick(rng, street, k, taken, "plate")
    disagree = _pick(rng, street.filter(pl.col("is_new_energy")), k, taken, "plate")
    taxi_records = taxi_records.filter(~pl.col("plate").is_in(missing)).with_columns(
        pl.when(pl.col("plate").is_in(usage))
        .then(pl.lit("A"))
        .otherwise(pl.col("usage"))
        .alias("usage")
    )
    taxis, taxi_records, new_plates = _disagree(taxis, taxi_records, disagree, "A", "02", book)
    manifest["taxi_plate_missing_from_registrations"] = {"count": len(missing), "plates": missing}
    manifest["taxi_registration_usage_not_d"] = {"count": len(usage), "plates": usage}
    manifest["taxi_powertrain_disagreement"] = {"count": len(new_plates), "plates": new_plates}
    return buses, bus_records, taxis, taxi_records, overrides, manifest
