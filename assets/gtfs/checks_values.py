"""GTFS "must" rules about values: formats, ranges, enumerations and the order of stop times.

Stop-time checks run vectorised over the whole table, so the largest real feeds stay cheap:
each trip is ordered by stop_sequence once, then compared row to previous row.
Values are checked as written, untrimmed, like the warehouse quality suites on raw.gtfs_*.
"""

from __future__ import annotations

import polars as pl

from assets.gtfs.notices import combine, notices_from_rows

Tables = dict[str, pl.DataFrame]

TIME_PATTERN = r"^(\d{1,2}):([0-5]\d):([0-5]\d)$"
TIME_FIELDS = {
    "stop_times": ("arrival_time", "departure_time"),
    "frequencies": ("start_time", "end_time"),
}
DATE_FIELDS = {
    "calendar": ("start_date", "end_date"),
    "calendar_dates": ("date",),
    "feed_info": ("feed_start_date", "feed_end_date"),
}
DATE_RANGES = {
    "calendar": ("start_date", "end_date"),
    "feed_info": ("feed_start_date", "feed_end_date"),
}
_DAY_FLAGS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ENUMS = {
    "calendar": {flag: (0, 1) for flag in _DAY_FLAGS},
    "calendar_dates": {"exception_type": (1, 2)},
    "stops": {"location_type": (0, 1, 2, 3, 4)},
    "trips": {"direction_id": (0, 1)},
}
# (table, column, smallest allowed value)
MINIMA = (
    ("stop_times", "stop_sequence", 0),
    ("shapes", "shape_pt_sequence", 0),
    ("frequencies", "headway_secs", 1),
)
COORDINATES = {
    "stops": (("stop_lat", 90), ("stop_lon", 180)),
    "shapes": (("shape_pt_lat", 90), ("shape_pt_lon", 180)),
}


def seconds_of(time_text: pl.Expr) -> pl.Expr:
    """GTFS time text (H:MM:SS, may pass 24:00:00) → seconds into the service day; null if bad."""
    parts = time_text.str.extract_groups(TIME_PATTERN)
    return (
        parts.struct.field("1").cast(pl.Int64) * 3600
        + parts.struct.field("2").cast(pl.Int64) * 60
        + parts.struct.field("3").cast(pl.Int64)
    )


def value_rules() -> list[tuple[str, str, str, pl.Expr, str]]:
    """(code, table, column, offending-value expression, message template) for every rule."""
    rules = []
    for table, columns in TIME_FIELDS.items():
        for column in columns:
            bad = seconds_of(pl.col(column)).is_null()
            rules.append(("invalid_time", table, column, bad, "{} is not H:MM:SS"))
    for table, columns in DATE_FIELDS.items():
        for column in columns:
            text = pl.col(column)
            bad = text.str.contains(r"^\d{8}$").not_() | _as_date(text).is_null()
            rules.append(("invalid_date", table, column, bad, "{} is not a YYYYMMDD date"))
    for table, columns in ENUMS.items():
        for column, allowed in columns.items():
            bad = pl.col(column).is_in(list(allowed)).not_()
            message = "{} is not one of " + ", ".join(map(str, allowed))
            rules.append(("invalid_enum_value", table, column, bad, message))
    for table, column, minimum in MINIMA:
        bad = pl.col(column) < minimum
        rules.append(("number_out_of_range", table, column, bad, f"{{}} is below {minimum}"))
    for table, limits in COORDINATES.items():
        for column, limit in limits:
            bad = pl.col(column).abs() > limit
            message = f"{{}} is outside [-{limit}, {limit}]"
            rules.append(("coordinates_out_of_range", table, column, bad, message))
    for table, (start, end) in DATE_RANGES.items():
        bad = _as_date(pl.col(end)) < _as_date(pl.col(start))
        message = f"{{}} precedes its {start}"
        rules.append(("start_and_end_range_out_of_order", table, end, bad, message))
    return rules


def check_formats(tables: Tables) -> pl.DataFrame:
    found = []
    for code, table, column, bad, template in value_rules():
        frame = tables.get(table)
        if frame is None:
            continue
        offending = frame.filter(pl.col(column).is_not_null() & bad.fill_null(False))
        message = pl.format(f"{column} {template}", pl.col(column))
        found.append(notices_from_rows(offending, code, f"{table}.txt", column, message))
    return combine(found)


def check_stop_times(tables: Tables) -> pl.DataFrame:
    """stop_sequence strictly increasing, times at both trip ends, times never going back."""
    stop_times = tables.get("stop_times")
    if stop_times is None:
        return combine([])
    flagged = _stop_time_flags(stop_times)
    trip = pl.col("trip_id")
    rules = (
        (
            "repeat",
            "non_increasing_stop_sequence",
            "stop_sequence",
            pl.format("trip {} repeats stop_sequence {}", trip, pl.col("stop_sequence")),
        ),
        (
            "untimed_end",
            "missing_trip_endpoint_times",
            "arrival_time",
            pl.format("trip {} has no arrival/departure time at its {} stop", trip, "end"),
        ),
        (
            "departs_before_arrival",
            "stop_time_with_departure_before_arrival_time",
            "departure_time",
            pl.format("trip {} departs at {} before it arrives", trip, "departure_time"),
        ),
        (
            "arrives_before_previous",
            "stop_time_with_arrival_before_previous_departure_time",
            "arrival_time",
            pl.format("trip {} arrives at {} before it left the last stop", trip, "arrival_time"),
        ),
    )
    return combine(
        [
            notices_from_rows(
                flagged.filter(pl.col(flag)).sort("_row_number"),
                code,
                "stop_times.txt",
                field,
                message,
            )
            for flag, code, field, message in rules
        ]
    )


def _stop_time_flags(stop_times: pl.DataFrame) -> pl.DataFrame:
    """The stop times that break a rule, with one boolean column per rule and their text.

    Each trip is ordered by stop_sequence once; then every rule compares a row with the one
    before it, so no per-trip window is needed. The trip is sorted on as an integer code
    (its own categories, so nothing outlives the call), and text is fetched only for the
    flagged rows: a provincial feed has 13 M stop_times, and sorting their text took 2.5 GB.
    `previous` is the last time written earlier in the same trip: the running last time,
    kept only when the row it came from belongs to this trip.
    """
    trip = pl.col("trip")
    new_trip = (trip != trip.shift(1)).fill_null(True)
    last_time = pl.coalesce("departure", "arrival")
    previous = pl.when(
        ~new_trip & (pl.when(last_time.is_not_null()).then(trip).forward_fill().shift(1) == trip)
    ).then(last_time.forward_fill().shift(1))
    categories = pl.Categories.random()
    flags = (
        stop_times.lazy()
        .select(
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("index"),
            pl.col("trip_id").cast(pl.Categorical(categories)).to_physical().alias("trip"),
            "stop_sequence",
            "_row_number",
            seconds_of(pl.col("arrival_time")).alias("arrival"),
            seconds_of(pl.col("departure_time")).alias("departure"),
            (pl.col("arrival_time").is_null() | pl.col("departure_time").is_null()).alias(
                "untimed"
            ),
        )
        .filter(trip.is_not_null() & pl.col("stop_sequence").is_not_null())
        .sort("trip", "stop_sequence", "_row_number")
        .with_columns(
            (~new_trip & (pl.col("stop_sequence") == pl.col("stop_sequence").shift(1))).alias(
                "repeat"
            ),
            pl.when(new_trip)
            .then(pl.lit("first"))
            .when((trip != trip.shift(-1)).fill_null(True))
            .then(pl.lit("last"))
            .alias("end"),
            (pl.col("departure") < pl.col("arrival"))
            .fill_null(False)
            .alias("departs_before_arrival"),
            (pl.col("arrival") < previous).fill_null(False).alias("arrives_before_previous"),
        )
        .with_columns((pl.col("end").is_not_null() & pl.col("untimed")).alias("untimed_end"))
        .filter(
            pl.col("repeat")
            | pl.col("untimed_end")
            | pl.col("departs_before_arrival")
            | pl.col("arrives_before_previous")
        )
        .collect()
    )
    text = stop_times.select("trip_id", "arrival_time", "departure_time").gather(flags["index"])
    return flags.drop("trip").hstack(text)


def _as_date(text: pl.Expr) -> pl.Expr:
    return text.str.strptime(pl.Date, "%Y%m%d", strict=False)
