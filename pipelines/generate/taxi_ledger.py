"""The bureau's taxi register as exported on a given day: taxi_fleet_YYYYMMDD.csv.

One row per car ever licensed (street-hail and ride-hailing), with its exit date once it has
left. The two exports use different encodings (GB18030 for 2024, UTF-8 with BOM later), as
the bureau's export tool changed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from assets.ingest.raw_tables import headers_by_field
from pipelines.generate import defects as dq
from pipelines.generate.writers import write_csv

HEADERS = headers_by_field("raw.taxi_fleet")
DEFECT_KINDS = [
    "plate_fullwidth",
    "plate_separator",
    "stray_blanks",
    "date_spelling",
    "unknown_powertrain",
]
BLANK_COLUMNS = ("company", "plate", "powertrain_label", "operating_area")


def encoding_for(day: date, as_of: date) -> str:
    return "utf-8-sig" if day == as_of else "gb18030"


def register_text(taxis: pl.DataFrame, day: date) -> pl.DataFrame:
    frame = taxis.filter(pl.col("in_service_on") <= day)
    return frame.select(
        "company",
        "plate",
        "taxi_kind",
        "powertrain_label",
        "operating_area",
        pl.col("in_service_on").dt.strftime("%Y-%m-%d"),
        pl.when(pl.col("exit_on") <= day)
        .then(pl.col("exit_on").dt.strftime("%Y-%m-%d"))
        .alias("exited_on"),
    )


def _break(value: str, kind: str, rng, known_labels: set[str]) -> str:
    if kind == "plate_fullwidth":
        return value[:1] + dq.fullwidth(value[1:])
    if kind == "plate_separator":
        return dq.plate_separator(value, rng)
    if kind == "stray_blanks":
        return dq.stray_blanks(value, rng)
    if kind == "date_spelling":
        return dq.date_spelling(date.fromisoformat(value), rng)
    return dq.unknown_powertrain(known_labels, rng)


def write_register(
    out_dir: Path,
    taxis: pl.DataFrame,
    day: date,
    as_of: date,
    rng,
    defect_rate: float,
    log: dq.DefectLog,
    known_labels: set[str],
) -> tuple[str, int]:
    name = f"taxi_fleet/taxi_fleet_{day.strftime('%Y%m%d')}.csv"
    text = register_text(taxis, day)
    plates = text["plate"]
    chosen = dq.assign_kinds(rng, DEFECT_KINDS, defect_rate, text.height)
    for kind, at in chosen.items():
        if not at.size:
            continue
        if kind == "stray_blanks":
            columns = np.array(BLANK_COLUMNS)[rng.integers(0, len(BLANK_COLUMNS), at.size)]
        else:
            column = {"date_spelling": "in_service_on", "unknown_powertrain": "powertrain_label"}
            columns = np.full(at.size, column.get(kind, "plate"))
        for name_ in dict.fromkeys(columns.tolist()):
            rows = at[columns == name_]
            series = text[name_].clone()
            series.scatter(
                rows, [_break(v, kind, rng, known_labels) for v in series.gather(rows).to_list()]
            )
            text = text.with_columns(series)
        log.record("taxi_fleet", kind, name, at + 1, plates.gather(at).to_list())
    rows = write_csv(out_dir / name, [text.rename(HEADERS)], encoding_for(day, as_of))
    return name, rows
