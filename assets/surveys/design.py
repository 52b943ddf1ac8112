"""The sample design handed to svy: trips as rows, households as PSUs, strata from the mapping.

Why a frame of its own: a design-based variance needs every sampled household, including the
ones that made no trip (PSUs whose totals are zero; dropping them understates n_h). So the
analysis frame of a wave is its trips plus one zero row per household without trips, and every
estimate is a ratio of two columns over that whole frame, never over a filtered subset: a
domain share is Σ w·y·1[domain] / Σ w·x·1[domain] (svy's advice: domains, not filters).

svy (Taylor linearisation, `Sample.estimation.ratio`) gives for R̂ = Σ w·y / Σ w·x
    v(R̂) = Σ_h n_h/(n_h − 1) Σ_i (z_hi − z̄_h)²,  z_hi = Σ_j w_hij (y_hij − R̂ x_hij) / Σ w·x
(with-replacement, no finite population correction) and a t interval on
df = #PSU − #strata (its default; R's `degf`). tests/test_survey_interval.py checks this by hand.
"""

import dataclasses
import math

import duckdb
import polars as pl
import svy

from pipelines.sql_text import identifier

ALPHA = 0.05
THIN_RECORDS = 30  # fewer unweighted records than this in the denominator: thin
THIN_CV = 0.30  # coefficient of variation above this: thin
WEIGHT, PSU, STRATUM = "_weight", "_psu", "_stratum"
# Measures whose 0/1 columns are built at a time: each pass holds 2 boolean columns per measure
# over every record of the wave, so memory stays bounded whatever the number of breakdowns.
MEASURES_PER_PASS = 16


def trip_frame(households, trips, *, psu="hh_id", stratum="stratum", empty_households=True):
    """One row per trip (weight = trip_weight), plus a zero row per household without trips.

    Trips carry their household's columns (town_code, ...) for domains; the zero rows have
    weight 1 and every analysis column 0, so they add PSUs and nothing else.
    """
    hh = households.select(
        "hh_id", pl.col(psu).alias(PSU), pl.col(stratum).alias(STRATUM), "town_code"
    )
    rows = trips.join(hh, on="hh_id", how="inner").with_columns(
        pl.col("trip_weight").alias(WEIGHT), pl.lit(True).alias("is_trip")
    )
    if not empty_households:
        return rows
    idle = hh.join(trips.select("hh_id").unique(), on="hh_id", how="anti")
    return pl.concat(
        [rows, idle.with_columns(pl.lit(1.0).alias(WEIGHT), pl.lit(False).alias("is_trip"))],
        how="diagonal_relaxed",
    )


def person_trip_frame(households, persons, trips, *, psu="hh_id", stratum="stratum"):
    """Rows for the trip rate Σ trip_weight / Σ person_weight: trip rows (is_trip) weighted by
    trip_weight and person rows (is_person) weighted by person_weight, over the same PSUs.

    Trips carry their person's attributes so a person domain (age, sex, town) is one mask.
    """
    hh = households.select(
        "hh_id", pl.col(psu).alias(PSU), pl.col(stratum).alias(STRATUM), "town_code"
    )
    who = ["hh_id", "person_no"]
    people = persons.join(hh, on="hh_id", how="inner")
    trip_rows = trips.select(*who, "trip_weight").join(people, on=who, how="inner")
    return pl.concat(
        [
            trip_rows.with_columns(
                pl.col("trip_weight").alias(WEIGHT),
                pl.lit(True).alias("is_trip"),
                pl.lit(False).alias("is_person"),
            ),
            people.with_columns(
                pl.col("person_weight").fill_null(0.0).alias(WEIGHT),  # unweighted: nobody
                pl.lit(False).alias("is_trip"),
                pl.lit(True).alias("is_person"),
            ),
        ],
        how="diagonal_relaxed",
    )


def singleton_strata(households: pl.DataFrame) -> list[str]:
    """`wave/stratum` pairs with a single household: no within-stratum variance there."""
    counts = households.group_by("wave_id", "stratum").len().filter(pl.col("len") == 1)
    return sorted(f"{w}/{s}" for w, s in counts.select("wave_id", "stratum").rows())


def ratio_estimates(frame: pl.DataFrame, pairs: list[tuple[str, str]], singleton="center"):
    """svy Taylor estimates of Σ w·y / Σ w·x for each (y, x) pair of 0/1 columns of `frame`.

    Returns one row per pair, in order: est, se, df, half_width (t quantile on df times se,
    null when df ≤ 0 or the domain is empty).
    """
    columns = sorted({c for pair in pairs for c in pair})
    data = psu_totals(frame, columns)
    design = svy.Design(stratum=STRATUM, psu=PSU, wgt=WEIGHT, singleton=singleton)
    sample = svy.Sample(data, design)
    results = sample.estimation.ratio([y for y, _ in pairs], [x for _, x in pairs], alpha=ALPHA)
    if not isinstance(results, list):
        results = [results]
    rows = [_row(result.to_polars().row(0, named=True)) for result in results]
    return pl.DataFrame(
        rows,
        schema={"est": pl.Float64, "se": pl.Float64, "df": pl.Int64, "half_width": pl.Float64},
        orient="row",
    )


def psu_totals(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """One row per PSU (within its stratum): Σ w·c for each column, with weight 1.

    The linearised variance above reads a PSU only through its totals Σ_j w·y and Σ_j w·x
    (z_hi), R̂ is their ratio, and df counts PSUs and strata: so svy gives the same estimate,
    standard error and df on PSU totals as on the records, up to the order of float sums.
    A provincial wave has 3.8 M trip records but 600 k households; svy on the records held a
    float copy of every record for each of ~160 measures (the first demo scale-100 run was
    stopped at 14 GB in this step).
    """
    weight = pl.col(WEIGHT).cast(pl.Float64)
    return (
        frame.lazy()
        .group_by(pl.col(STRATUM).cast(pl.String).fill_null("_"), pl.col(PSU).cast(pl.String))
        .agg(pl.when(pl.col(c)).then(weight).otherwise(0.0).sum().alias(c) for c in columns)
        .sort(STRATUM, PSU)
        .with_columns(pl.lit(1.0).alias(WEIGHT))
        .collect()
    )


def _row(result: dict) -> tuple:
    def finite(value):
        return None if value is None or not math.isfinite(value) else float(value)

    lci, uci = finite(result["lci"]), finite(result["uci"])
    half_width = None if lci is None or uci is None else (uci - lci) / 2
    return finite(result["est"]), finite(result["se"]), int(result["df"]), half_width


@dataclasses.dataclass(frozen=True)
class Measure:
    """One ratio to estimate: `keys` label the output row; y and x are 0/1 expressions over the
    analysis frame (numerator and denominator populations, domain masks already applied)."""

    keys: dict
    y: pl.Expr
    x: pl.Expr


def estimate(frame: pl.DataFrame, measures: list[Measure], *, singleton="center", upper=1.0):
    """Point values, exact sums and design-based intervals for each measure, one row each.

    numerator / denominator are Σ weight as exact decimals (decimal(38, 10), as the SQL models
    sum trip_weight), so `value` equals the plain weighted share of docs/indicators.md bit for bit.
    The interval is svy's t interval re-centred on that value and clipped to [0, upper].
    """
    if not measures:
        return pl.DataFrame()
    parts = []
    for start in range(0, len(measures), MEASURES_PER_PASS):
        group = measures[start : start + MEASURES_PER_PASS]
        columns = {}
        for i, measure in enumerate(group):
            columns[f"_y{i}"] = measure.y.fill_null(False).cast(pl.Boolean)
            columns[f"_x{i}"] = measure.x.fill_null(False).cast(pl.Boolean)
        data = frame.select(WEIGHT, PSU, STRATUM, **columns)
        pairs = [(f"_y{i}", f"_x{i}") for i in range(len(group))]
        parts.append(
            pl.concat(
                [exact_sums(data, pairs), ratio_estimates(data, pairs, singleton)], how="horizontal"
            )
        )
    keys = pl.DataFrame([m.keys for m in measures])
    return finish(pl.concat([keys, pl.concat(parts)], how="horizontal"), upper)


def exact_sums(data: pl.DataFrame, pairs: list[tuple[str, str]]) -> pl.DataFrame:
    """Σ w over y = 1 and over x = 1 (exact decimal, then double) and unweighted counts."""
    columns = sorted({c for pair in pairs for c in pair})
    # one pass, one aggregate per column (an unpivot to one row per record and column took
    # 32 × the records of a provincial wave through a side connection)
    aggregates = ", ".join(
        f"sum(w) filter (where {identifier(c)})::double, count(*) filter (where {identifier(c)})"
        for c in columns
    )
    weight = identifier(WEIGHT)
    sql = (
        f"select {aggregates} from (select cast({weight} as decimal(38, 10)) as w, "
        f"* exclude ({weight}) from analysis)"
    )
    con = duckdb.connect()
    try:
        con.register("analysis", data.select(WEIGHT, *columns).to_arrow())
        (row,) = con.execute(sql).fetchall()
    finally:
        con.close()
    totals = {c: (row[2 * i], row[2 * i + 1]) for i, c in enumerate(columns) if row[2 * i + 1]}

    def total(column: str) -> tuple:
        return totals.get(column, (0.0, 0))

    return pl.DataFrame(
        [(*total(y), *total(x)) for y, x in pairs],
        schema={
            "numerator": pl.Float64,
            "qualifying": pl.Int64,
            "denominator": pl.Float64,
            "sample_size": pl.Int64,
        },
        orient="row",
    ).select("numerator", "denominator", "sample_size", "qualifying")


def finish(rows: pl.DataFrame, upper: float) -> pl.DataFrame:
    """value, interval, CV and the `thin` flag (fewer than 30 records or CV above 30 %)."""
    has_base = pl.col("denominator") > 0
    value = pl.when(has_base).then(pl.col("numerator") / pl.col("denominator"))
    rows = rows.with_columns(value.alias("value")).with_columns(
        pl.when(has_base).then(pl.col("se")).alias("std_error"),
        pl.when(pl.col("value") > 0).then(pl.col("se") / pl.col("value")).alias("cv"),
    )
    low = pl.max_horizontal(pl.col("value") - pl.col("half_width"), pl.lit(0.0))
    high = pl.min_horizontal(pl.col("value") + pl.col("half_width"), pl.lit(upper))
    ok = pl.col("value").is_not_null() & pl.col("half_width").is_not_null()
    return rows.with_columns(
        pl.when(ok).then(low).alias("ci_low"),
        pl.when(ok).then(high).alias("ci_high"),
        pl.col("df").alias("design_df"),
        (
            (pl.col("sample_size") < THIN_RECORDS)
            | pl.col("cv").is_null()
            | (pl.col("cv") > THIN_CV)
        ).alias("thin"),
    ).drop("est", "se", "df", "half_width")
