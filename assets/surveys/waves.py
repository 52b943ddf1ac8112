"""Ingest one survey wave folder: households first, then persons, then trips.

Order matters: a person is loaded only if its household was, and a trip only if its person
was, so orphans are caught in whichever file they appear (contract: orphan trips quarantine).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from assets.ingest.file_ingest import SourceFormat, ingest_records, new_outcome
from assets.ingest.outcome import FileOutcome, FileRejected
from assets.ingest.pseudonym import pseudonymise
from assets.ingest.source_run import read_source, relative_name
from assets.ingest.text_files import read_csv_text
from assets.surveys.records import household_rules, person_rules, survey_format, trip_rules

ENTITIES = ("households", "persons", "trips")


def hashed_expr(column: str, key: bytes) -> pl.Expr:
    return pl.col(column).map_batches(
        lambda s: pseudonymise(s.to_frame(), [s.name], key).to_series(), return_dtype=pl.String
    )


def _int_text(column: str) -> pl.Expr:
    return (
        pl.col(column).cast(pl.Float64, strict=False).cast(pl.Int64, strict=False).cast(pl.String)
    )


def _with_keys(fmt: SourceFormat) -> SourceFormat:
    """Add the composite keys the uniqueness rules need (person, trip) before the rules run."""
    prepare = fmt.prepare

    def prepare_with_keys(frame: pl.DataFrame) -> pl.DataFrame:
        frame = prepare(frame)
        if "person_no" in frame.columns:
            frame = frame.with_columns(_int_text("person_no").alias("_person_no_int"))
            frame = frame.with_columns(
                pl.concat_str(["hh_id", "_person_no_int"], separator="/").alias("_person_key")
            )
        if "trip_no" in frame.columns:
            frame = frame.with_columns(
                pl.concat_str(["_person_key", _int_text("trip_no")], separator="/").alias(
                    "_trip_key"
                )
            )
        return frame

    fmt.prepare = prepare_with_keys
    return fmt


def ingest_wave(
    folder: Path,
    files: dict[str, Path],
    skip: set[str],
    data_raw: Path,
    codes: dict,
    key: bytes,
    loaded_at: dt.datetime,
) -> list[FileOutcome]:
    """The wave's entity files (`files`: entity → path, as discovery found them); an entity
    missing from `files` is rejected as missing unless it is in `skip` (already refused)."""
    wave_id = folder.name
    hashed_hh = hashed_expr("hh_id", key)
    known_households = pl.Series([], dtype=pl.String)
    known_persons = pl.Series([], dtype=pl.String)
    outcomes = []
    for entity in ENTITIES:
        if entity in skip:
            continue
        fmt = _with_keys(survey_format(entity, wave_id))
        if entity == "households":
            rules = household_rules(codes)
        elif entity == "persons":
            rules = person_rules(codes, hashed_hh, known_households)
        else:
            rules = trip_rules(codes, hashed_hh, known_households, known_persons)
        path = files.get(entity, folder / f"{entity}.csv")
        outcome = _ingest_entity(path, entity in files, data_raw, fmt, rules, key, loaded_at)
        outcomes.append(outcome)
        loaded = outcome.loaded.get(fmt.table)
        if loaded is None or loaded.height == 0:
            continue
        if entity == "households":
            known_households = loaded.get_column("hh_id")
        elif entity == "persons":
            known_persons = loaded.select(
                pl.concat_str(["hh_id", pl.col("person_no").cast(pl.String)], separator="/")
            ).to_series()
    return outcomes


def _ingest_entity(path, present, data_raw, fmt, rules, key, loaded_at) -> FileOutcome:
    if not present:
        outcome = FileOutcome("surveys", relative_name(path, data_raw), "", None)
        outcome.reject(FileRejected(outcome.file_name, "file missing from the wave folder"))
        return outcome
    data = read_source(path, "surveys", data_raw)
    if isinstance(data, FileOutcome):
        return data
    outcome = new_outcome("surveys", relative_name(path, data_raw), data)
    try:
        text, outcome.encoding = read_csv_text(data, outcome.file_name)
    except FileRejected as error:
        outcome.reject(error)
        return outcome
    return ingest_records(outcome, text, fmt, rules, key, loaded_at)
