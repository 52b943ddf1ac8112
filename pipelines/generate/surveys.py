"""Household travel survey waves: surveys/<wave>/{households,persons,trips}.csv.

The 2019 wave was delivered in GB18030, the 2024 wave in UTF-8 (the contractor changed).
Defects sit in trips.csv only, where the row rules of docs/sources.md look: orphan trips, zero
weights, and walking or cycling at impossible speeds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from assets.ingest.raw_tables import source_headers
from pipelines.generate import defects as dq
from pipelines.generate.codes import CodeTables
from pipelines.generate.survey_population import households, persons
from pipelines.generate.survey_trips import simulate_trips
from pipelines.generate.writers import write_csv

ENCODING = {2019: "gb18030", 2024: "utf-8"}
DEFECT_KINDS = [
    "orphan_trip",
    "zero_trip_weight",
    "impossible_speed_walk",
    "impossible_speed_cycle",
]


def hhmm(minutes: pl.Expr) -> pl.Expr:
    """`HH:MM`, hours past 24 kept for arrivals after midnight."""
    hours = (minutes // 60).cast(pl.String).str.zfill(2)
    return pl.concat_str([hours, (minutes % 60).cast(pl.String).str.zfill(2)], separator=":")


def _trip_text(trips: pl.DataFrame) -> pl.DataFrame:
    return trips.with_columns(
        hhmm(pl.col("depart_min")).alias("depart_time"),
        hhmm(pl.col("arrive_min")).alias("arrive_time"),
        pl.col("distance_km").round(1),
        pl.col("trip_weight").round(3),
    ).select(source_headers("raw.survey_trips"))


def _break_trips(trips: pl.DataFrame, rng, rate: float):
    """Apply trip defects; returns the frame and {kind: rows}."""
    mode = trips["main_mode"].to_numpy()
    eligible = {
        "impossible_speed_walk": np.flatnonzero(mode == 1),
        "impossible_speed_cycle": np.flatnonzero(mode == 2),
    }
    chosen = dq.assign_kinds(rng, DEFECT_KINDS, rate, trips.height, eligible)
    person = trips["person_no"].to_numpy().copy()
    weight = trips["trip_weight"].to_numpy().copy()
    distance = trips["distance_km"].to_numpy().copy()
    minutes = (trips["arrive_min"] - trips["depart_min"]).to_numpy()
    person[chosen["orphan_trip"]] = 9  # households never have nine members here
    weight[chosen["zero_trip_weight"]] = 0.0
    for kind, speed in (("impossible_speed_walk", (15, 25)), ("impossible_speed_cycle", (45, 70))):
        at = chosen[kind]
        distance[at] = np.ceil(minutes[at] / 60 * rng.uniform(*speed, at.size) * 10) / 10
    broken = trips.with_columns(
        pl.Series("person_no", person),
        pl.Series("trip_weight", weight),
        pl.Series("distance_km", distance),
    )
    return broken, chosen


def write_wave(
    out_dir: Path,
    tables: CodeTables,
    scale: float,
    wave: int,
    rng,
    defect_rate: float,
    log: dq.DefectLog,
) -> dict[str, int]:
    homes = households(rng, tables, scale, wave)
    people = persons(rng, homes)
    trips = simulate_trips(rng, tables, people, wave)
    trips, chosen = _break_trips(trips, rng, defect_rate)
    folder = f"surveys/{wave}"
    text = _trip_text(trips)
    keys = pl.concat_str([pl.col("hh_id"), pl.col("person_no"), pl.col("trip_no")], separator="/")
    for kind, at in chosen.items():
        log.record(
            "surveys",
            kind,
            f"{folder}/trips.csv",
            at + 1,
            text.select(keys).to_series().gather(at).to_list(),
        )
    files = {
        "households.csv": homes.with_columns(pl.col("hh_weight").round(3)).select(
            source_headers("raw.survey_households")
        ),
        "persons.csv": people.with_columns(pl.col("person_weight").round(3)).select(
            source_headers("raw.survey_persons")
        ),
        "trips.csv": text,
    }
    return {
        f"{folder}/{name}": write_csv(out_dir / folder / name, [frame], ENCODING[wave])
        for name, frame in files.items()
    }
