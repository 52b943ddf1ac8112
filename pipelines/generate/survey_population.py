"""Survey households and their members, stratified by town, weighted to the 2020 census.

Small towns are over-sampled (allocation ∝ √population), so expansion weights differ by
town; within a town they vary with a non-response factor and are then scaled so that the
weighted residents of each town equal its census population exactly.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.generate import calibration as cal
from pipelines.generate.codes import CodeTables

HH_SIZE_P = {
    True: [0.16, 0.33, 0.28, 0.14, 0.06, 0.03],  # urban towns
    False: [0.12, 0.28, 0.25, 0.17, 0.11, 0.07],
}
WORKING_AGE_JOBS = {
    "企业职工": 0.55,
    "个体经营": 0.12,
    "机关事业单位": 0.10,
    "农民": 0.05,
    "无业": 0.08,
    "其他": 0.10,
}
RURAL_WORKING_AGE_JOBS = {**WORKING_AGE_JOBS, "农民": 0.14, "企业职工": 0.46}
RETIRED_JOBS = {"离退休": 0.8, "农民": 0.1, "其他": 0.1}


def allocate(total: int, populations: np.ndarray) -> np.ndarray:
    root = np.sqrt(populations)
    return np.maximum(3, np.round(total * root / root.sum())).astype(int)


def _draw(rng, table: dict[str, float], n: int) -> np.ndarray:
    keys = np.array(list(table))
    p = np.array(list(table.values()))
    return keys[rng.choice(len(keys), n, p=p / p.sum())]


def households(rng, tables: CodeTables, scale: float, wave: int) -> pl.DataFrame:
    towns = [t.code for t in tables.towns]
    populations = np.array([cal.TOWN_RESIDENTS_2020[c] for c in towns], dtype=float)
    counts = allocate(round(cal.SURVEY_HOUSEHOLDS * scale), populations)
    town = np.repeat(np.arange(len(towns)), counts)
    urban = np.isin(np.array(towns)[town], cal.URBAN_TOWNS)
    size = (
        np.where(
            urban,
            rng.choice(6, town.size, p=HH_SIZE_P[True]),
            rng.choice(6, town.size, p=HH_SIZE_P[False]),
        )
        + 1
    )
    car_mean = cal.CARS_PER_HOUSEHOLD[wave] * np.where(urban, 1.1, 0.9) * (0.7 + 0.1 * size)
    cars = np.minimum(rng.poisson(car_mean), 3)
    ebikes = np.minimum(rng.poisson(cal.EBIKES_PER_HOUSEHOLD[wave] * (0.6 + 0.15 * size)), 4)
    weight = rng.lognormal(0, 0.2, town.size)
    for t, population in enumerate(populations):  # weighted residents = census, per town
        rows = town == t
        weight[rows] *= population / (weight[rows] * size[rows]).sum()
    return pl.DataFrame(
        {
            "hh_id": [f"TC{wave}{i + 1:05d}" for i in range(town.size)],
            "town_code": np.array(towns)[town],
            "hh_size": size,
            "cars": cars,
            "ebikes": ebikes,
            "hh_weight": weight,
            "urban": urban,
        }
    )


def persons(rng, homes: pl.DataFrame) -> pl.DataFrame:
    """Members: a head, a partner, then children or elders; occupation follows age."""
    size = homes["hh_size"].to_numpy()
    hh = np.repeat(np.arange(size.size), size)
    person_no = np.concatenate([np.arange(1, s + 1) for s in size])
    head_age = np.clip(rng.triangular(22, 42, 85, size.size), 20, 95).astype(int)[hh]
    child = rng.random(hh.size) < 0.7
    age = np.where(
        person_no == 1,
        head_age,
        np.where(
            person_no == 2,
            head_age + rng.normal(0, 3, hh.size),
            np.where(
                child,
                rng.uniform(0, np.maximum(head_age - 20, 1)),
                head_age + rng.uniform(20, 30, hh.size),
            ),
        ),
    )
    age = np.clip(age, 0, 99).astype(int)
    sex = rng.integers(1, 3, hh.size)
    sex[person_no == 2] = 3 - sex[np.flatnonzero(person_no == 2) - 1]
    urban = homes["urban"].to_numpy()[hh]
    jobs = np.where(
        urban, _draw(rng, WORKING_AGE_JOBS, hh.size), _draw(rng, RURAL_WORKING_AGE_JOBS, hh.size)
    )
    occupation = np.select(
        [age < 6, age < 19, age < 23, age < 60],
        ["学龄前儿童", "学生", np.where(rng.random(hh.size) < 0.7, "学生", "企业职工"), jobs],
        _draw(rng, RETIRED_JOBS, hh.size),
    )
    return pl.DataFrame(
        {
            "hh_id": homes["hh_id"].gather(hh),
            "person_no": person_no,
            "age": age,
            "sex": sex,
            "occupation": occupation,
            "person_weight": homes["hh_weight"].gather(hh),
            "home_town": homes["town_code"].gather(hh),
            "urban": urban,
            "cars": homes["cars"].gather(hh),
            "ebikes": homes["ebikes"].gather(hh),
        }
    )
