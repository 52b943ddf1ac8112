"""Household travel survey files (docs/sources.md §5): households, persons, trips per wave.

Respondent ids (`hh_id`) are pseudonymised like plates. Cross-file rules (a person's household,
a trip's person) compare pseudonyms, so plaintext ids never need to be held anywhere.
"""

from __future__ import annotations

import polars as pl

from assets.ingest import row_rules as rr
from assets.ingest.file_ingest import SourceFormat
from assets.ingest.raw_tables import header_columns, raw_output
from assets.surveys.times import clock_minutes_expr


def survey_format(entity: str, wave_id: str) -> SourceFormat:
    """The SourceFormat of households / persons / trips; wave_id comes from the folder name."""
    table = f"raw.survey_{entity}"
    return SourceFormat(
        source="surveys",
        table=table,
        columns=header_columns(table),
        identifiers={"hh_id": lambda e: e},
        prepare=_prepare_trips if entity == "trips" else (lambda f: f),
        output=lambda frame: raw_output(table, frame, wave_id=pl.lit(wave_id)),
    )


def _prepare_trips(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        clock_minutes_expr(pl.col("depart_time")).alias("_depart_min"),
        clock_minutes_expr(pl.col("arrive_time")).alias("_arrive_min"),
    ).with_columns(
        (pl.col("_arrive_min") - pl.col("_depart_min")).alias("_duration_min"),
    )


def household_rules(codes: dict) -> list[rr.RowRule]:
    return [
        rr.required("hh_id"),
        rr.first_occurrence("hh_id", key_text="hh_id"),
        rr.required("town_code"),
        rr.in_code_table("town_code", codes["town"], "town"),
        rr.number_in_range("hh_size", 1, None, integer=True),
        rr.number_in_range("cars", 0, None, integer=True),
        rr.number_in_range("ebikes", 0, None, integer=True),
        rr.required("hh_weight"),
        rr.number_in_range("hh_weight", 0, None, exclusive_low=True),
    ]


def belongs_to(column: str, hashed_keys: pl.Expr, known: pl.Series, what: str) -> rr.RowRule:
    return rr.RowRule(
        column,
        ~hashed_keys.is_in(known.implode()),
        pl.lit(f"orphan: no {what} with this id in the wave"),
    )


def person_rules(codes: dict, hashed_hh: pl.Expr, households: pl.Series) -> list[rr.RowRule]:
    return [
        rr.required("hh_id"),
        rr.required("person_no"),
        rr.number_in_range("person_no", 1, None, integer=True),
        belongs_to("hh_id", hashed_hh, households, "household"),
        rr.first_occurrence("_person_key", "person_no", "(hh_id, person_no)"),
        rr.number_in_range("age", 0, 120, integer=True),
        rr.in_code_table("sex", ["1", "2"], "sex"),
        rr.required("person_weight"),
        rr.number_in_range("person_weight", 0, None, exclusive_low=True),
    ]


def trip_rules(
    codes: dict, hashed_hh: pl.Expr, households: pl.Series, persons: pl.Series
) -> list[rr.RowRule]:
    person_key = pl.concat_str([hashed_hh, pl.col("_person_no_int")], separator="/")
    max_speed = pl.col("main_mode").replace_strict(
        codes["travel_mode_max_speed"], default=None, return_dtype=pl.Float64
    )
    distance = pl.col("distance_km").cast(pl.Float64, strict=False)
    return [
        rr.required("hh_id"),
        rr.required("person_no"),
        rr.required("trip_no"),
        rr.number_in_range("trip_no", 1, None, integer=True),
        belongs_to("hh_id", hashed_hh, households, "household"),
        belongs_to("person_no", person_key, persons, "person"),
        rr.first_occurrence("_trip_key", "trip_no", "(hh_id, person_no, trip_no)"),
        rr.required("main_mode"),
        rr.in_code_table("main_mode", codes["travel_mode"], "travel_mode"),
        rr.in_code_table("purpose", codes["trip_purpose"], "trip_purpose"),
        rr.required("trip_weight"),
        rr.number_in_range("trip_weight", 0, None, exclusive_low=True),
        rr.number_in_range("distance_km", 0, None),
        _clock("depart_time", "_depart_min"),
        _clock("arrive_time", "_arrive_min"),
        rr.RowRule(
            "arrive_time",
            pl.col("_duration_min") < 0,
            rr.reason(
                "arrival {} before departure {} (a trip past midnight writes its arrival "
                "past 24:00, e.g. 24:35)",
                pl.col("arrive_time"),
                pl.col("depart_time"),
            ),
        ),
        rr.RowRule(
            "distance_km",
            max_speed.is_not_null()
            & pl.col("_duration_min").is_not_null()
            & (distance * 60 > max_speed * pl.col("_duration_min")),
            rr.reason(
                "impossible speed for mode {}: {} km in {} min (limit {} km/h)",
                pl.col("main_mode"),
                distance,
                pl.col("_duration_min"),
                max_speed,
            ),
        ),
    ]


def _clock(column: str, minutes: str) -> rr.RowRule:
    return rr.RowRule(
        column,
        pl.col(column).is_not_null() & pl.col(minutes).is_null(),
        rr.reason("time must be HH:MM, got '{}'", pl.col(column)),
    )
