"""The vehicle administration export: registrations_YYYYMMDD.csv, GB18030, CRLF.

A snapshot is the full ledger as of its date: every vehicle first registered by then, with
status E/B and its date for vehicles gone by then, and occasional G/Q/D flags on the rest.
Rows stream out in registration order, a few years at a time, each chunk encoded in one call.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from assets.ingest.raw_tables import headers_by_field
from pipelines.generate import defects as dq
from pipelines.generate.writers import write_csv

HEADERS = headers_by_field("raw.registrations")
DEFECT_KINDS = [
    "plate_fullwidth",
    "plate_separator",
    "stray_blanks",
    "date_spelling",
    "vin_bad_check_digit",
    "vin_malformed",
    "unknown_usage",
    "unknown_fuel",
]
BLANK_COLUMNS = ("plate", "usage", "fuel", "owner", "vehicle_type", "admin_code")
ENCODING = "gb18030"


def _status(day: date) -> pl.Expr:
    """Status letters on `day`: E/B once gone; Q (inspection overdue, likelier with age), G, D."""
    gone = pl.col("exit_on") <= day
    age = (pl.lit(day) - pl.col("first_registered_on")).dt.total_days() / 365.25
    p_q = (age * 0.004).clip(0, 0.06)
    draw = pl.col("status_draw")
    flag = (
        pl.when(draw.is_null())
        .then(pl.lit("A"))
        .when(draw < p_q)
        .then(pl.lit("Q"))
        .when(draw < p_q + 0.012)
        .then(pl.lit("G"))
        .when(draw < p_q + 0.016)
        .then(pl.lit("GQ"))
        .when(draw < p_q + 0.019)
        .then(pl.lit("D"))
        .otherwise(pl.lit("A"))
    )
    exited = (
        pl.when((pl.col("exit_kind") == "E") & (draw < 0.004))
        .then(pl.lit("GE"))
        .otherwise(pl.col("exit_kind"))
    )
    return pl.when(gone).then(exited).otherwise(flag)


def snapshot_text(records: pl.DataFrame, day: date) -> pl.DataFrame:
    """The export's columns as text, in registration order, for vehicles known on `day`."""
    frame = records.filter(pl.col("first_registered_on") <= day)
    frame = frame.sort("first_registered_on", maintain_order=True)
    gone = pl.col("exit_on") <= day
    return frame.select(
        "plate",
        "plate_type",
        "vin",
        "vehicle_type",
        "usage",
        "fuel",
        pl.col("first_registered_on").dt.strftime("%Y-%m-%d"),
        _status(day).alias("status"),
        pl.when(gone).then(pl.col("exit_on").dt.strftime("%Y-%m-%d")).alias("status_changed_on"),
        "owner",
        "admin_code",
    )


def _mutate(frame: pl.DataFrame, kind: str, rows: np.ndarray, rng) -> pl.DataFrame:
    """Apply one defect kind to `rows` of a text chunk."""
    if kind == "stray_blanks":
        columns = np.array(BLANK_COLUMNS)[rng.integers(0, len(BLANK_COLUMNS), rows.size)]
    elif kind in ("plate_fullwidth", "plate_separator"):
        columns = np.full(rows.size, "plate")
    elif kind in ("vin_bad_check_digit", "vin_malformed"):
        columns = np.full(rows.size, "vin")
    else:
        columns = np.full(
            rows.size,
            {
                "date_spelling": "first_registered_on",
                "unknown_usage": "usage",
                "unknown_fuel": "fuel",
            }[kind],
        )
    for column in dict.fromkeys(columns.tolist()):
        at = rows[columns == column]
        values = frame[column].gather(at).to_list()
        if kind == "stray_blanks":
            new = [dq.stray_blanks(v or "", rng) for v in values]
        elif kind == "plate_fullwidth":
            new = [v[:1] + dq.fullwidth(v[1:]) for v in values]
        elif kind == "plate_separator":
            new = [dq.plate_separator(v, rng) for v in values]
        elif kind == "vin_bad_check_digit":
            new = [dq.bad_check_digit(v, rng) for v in values]
        elif kind == "vin_malformed":
            new = [dq.malformed_vin(v, rng) for v in values]
        elif kind == "date_spelling":
            new = [dq.date_spelling(date.fromisoformat(v), rng) for v in values]
        elif kind == "unknown_usage":
            new = [dq.UNKNOWN_USAGE] * len(values)
        else:
            new = [v[:-1] + dq.UNKNOWN_FUEL if len(v) > 1 else dq.UNKNOWN_FUEL for v in values]
        series = frame[column].clone()
        series.scatter(at, new)
        frame = frame.with_columns(series)
    return frame


def write_snapshot(
    out_dir: Path,
    day: date,
    chunks: Iterable[pl.DataFrame],
    rng,
    defect_rate: float,
    log: dq.DefectLog,
) -> tuple[str, int]:
    """Write registrations_<day>.csv from record chunks (in registration order)."""
    name = f"registrations/registrations_{day.strftime('%Y%m%d')}.csv"
    dealer = dq.KindDealer(rng, DEFECT_KINDS)
    offset = 0

    def text_chunks():
        nonlocal offset
        for records in chunks:
            text = snapshot_text(records, day)
            rows = dq.choose_rows(rng, np.arange(text.height), defect_rate, text.height)
            kinds = np.array(dealer.deal(rows.size))
            plates = text["plate"]
            for kind in DEFECT_KINDS:
                at = rows[kinds == kind]
                if at.size:
                    text = _mutate(text, kind, at, rng)
                    log.record(
                        "registrations", kind, name, offset + at + 1, plates.gather(at).to_list()
                    )
            offset += text.height
            yield text.rename(HEADERS)

    rows = write_csv(out_dir / name, text_chunks(), ENCODING, crlf=True)
    return name, rows
