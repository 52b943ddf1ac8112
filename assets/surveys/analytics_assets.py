"""Travel-survey analytics with design-based intervals, and the same estimator on real surveys.

`survey_analytics` reads the Taicang waves through mappings/taicang_demo.yaml (no special case
for our own format) and writes the indicator estimates, the mode split, the breakdowns and the
change between waves. `survey_external` runs the same estimator on NHTS 2022 and PSRC 2017 when
GREENTRACK_EXTERNAL_SURVEYS_DIR points at them: a check of the method on public data, never an
input to the Taicang numbers, so its absence is a recorded skip, not a failure.
"""

import os
from pathlib import Path

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from assets.surveys.design import singleton_strata
from assets.surveys.estimation import category_labels, load_bands, share_change, wave_estimates
from assets.surveys.mapping import (
    MappingError,
    available_mappings,
    load_survey,
    read_mapping,
    split_waves,
)
from assets.warehouse.comments import warehouse_docs
from pipelines.sql_text import qualified
from pipelines.warehouse import declarations, fetch_frame, frame_to_markdown, replace_table

EXTERNAL_DIR_VAR = "GREENTRACK_EXTERNAL_SURVEYS_DIR"
# The type of every column of the seven tables, by name (the declarations carry no types).
TYPES = {
    **dict.fromkeys(
        "indicator_id period wave_id label_zh label_en dimension category measure from_period "
        "to_period survey format status".split(),
        pl.String,
    ),
    **dict.fromkeys(
        "value share numerator denominator std_error cv ci_low ci_high value_from value_to "
        "difference satterthwaite_df".split(),
        pl.Float64,
    ),
    **dict.fromkeys(
        "sample_size trips numerator_records mode_code design_df dropped_trips households "
        "strata".split(),
        pl.Int64,
    ),
    **dict.fromkeys("thin distinguishable".split(), pl.Boolean),
    "period_end": pl.Date,
}
# The Taicang tables' columns, in order, and their descriptions are those of their declarations
# in dbt_like_sql/ (the headers that comment the tables); only the types are stated here.
TAICANG = {
    name: declared
    for name, declared in declarations().items()
    if declared.built_by == "assets/surveys/analytics_assets.py"
}
# survey_external is no model layer, so no declaration holds these: warehouse_docs.yaml
# documents their columns by name, and their list and order are stated here.
SHARE = "numerator denominator sample_size"
INTERVAL = "ci_low ci_high std_error cv design_df thin"
EXTERNAL_COLUMNS = {
    "survey_external.mode_share": f"survey period mode_code label_en share {SHARE} trips "
    f"{INTERVAL}",
    "survey_external.indicator_shares": f"survey indicator_id period value {SHARE} {INTERVAL}",
    "survey_external.load_status": "survey format status trips dropped_trips households strata",
}
COLUMNS = {
    **{name: list(declared.column_docs) for name, declared in TAICANG.items()},
    **{name: columns.split() for name, columns in EXTERNAL_COLUMNS.items()},
}
RENAMES = {"wave_id": "period", "qualifying": "trips"}


def shape(name: str, parts: list[pl.DataFrame], renames: dict | None = None) -> pl.DataFrame:
    """Stack per-wave parts into the published table: its columns, order and types."""
    schema = {column: TYPES[column] for column in COLUMNS[name]}
    parts = [p for p in parts if p.height]
    if not parts:
        return pl.DataFrame(schema=schema)
    frame = pl.concat(parts, how="diagonal_relaxed").rename(renames or {}, strict=False)
    return frame.select(
        (pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c)
        for c, t in schema.items()
    )


def taicang_tables(waves: dict, mapping, reference: dict) -> dict[str, pl.DataFrame]:
    """Every Taicang output table from the mapped waves (`split_waves`; pure: frames in,
    frames out). Each wave's frames are let go once estimated: a provincial wave is ~1 GB."""
    bands = load_bands()
    waves = [
        wave_estimates(wave, waves.pop(wave), mapping, reference["travel_mode"], bands=bands)
        for wave in list(waves)
    ]
    modes = [w["modes"].join(_mode_labels(reference), on="mode_code", how="left") for w in waves]
    labels = category_labels(reference["town"], reference["trip_purpose"], bands)
    breakdowns = [
        w["breakdowns"].join(labels, on=["dimension", "category"], how="left") for w in waves
    ]
    shares = shape("metrics.survey_share_estimates", [w["indicators"] for w in waves], RENAMES)
    keep = ["period", "period_end", "value", "std_error", "design_df"]
    no_mode = pl.lit(None, pl.Int64).alias("mode_code")
    indicator_rows = shares.select(pl.col("indicator_id").alias("measure"), no_mode, *keep)
    mode_rows = [
        m.rename({"wave_id": "period"}).select(
            pl.lit("mode_share").alias("measure"), "mode_code", *keep
        )
        for m in modes
    ]
    stacked = pl.concat([indicator_rows, *mode_rows], how="vertical_relaxed")
    change = share_change(stacked, ["measure", "mode_code"])
    return {
        "metrics.survey_share_estimates": shares,
        "marts.fct_survey_mode_split": shape(
            "marts.fct_survey_mode_split", modes, {"value": "share", "qualifying": "trips"}
        ),
        "marts.fct_survey_breakdowns": shape(
            "marts.fct_survey_breakdowns", breakdowns, {"qualifying": "numerator_records"}
        ),
        "marts.fct_survey_share_change": shape("marts.fct_survey_share_change", [change]),
    }


def _mode_labels(reference: dict) -> pl.DataFrame:
    return reference["travel_mode"].select(
        pl.col("code").cast(pl.Int64).alias("mode_code"), "label_zh", "label_en"
    )


def external_tables(root: Path | None, reference: dict) -> dict[str, pl.DataFrame]:
    """Estimates for every CSV-sourced mapping found under `root`.

    A survey that is not configured, not found or does not fit its mapping is a status row,
    not an exception: these benchmarks must never stop the Taicang run from publishing.
    """
    statuses, modes, indicators = [], [], []
    labels, survey_modes = _mode_labels(reference), reference["travel_mode"]
    for mapping in (m for m in available_mappings() if m.source["kind"] == "csv"):
        folder = root / mapping.source["folder"] if root else None
        if folder is None or not folder.is_dir():
            reason = f"skipped: no folder {folder}" if root else "skipped: not configured"
            statuses.append(_status_row(mapping, reason))
            continue
        try:
            frames = load_survey(mapping, root=root)
        except (MappingError, OSError, pl.exceptions.PolarsError) as error:
            statuses.append(_status_row(mapping, f"failed: {error}"))
            continue
        survey = pl.lit(mapping.survey).alias("survey")
        for wave, wave_frames in split_waves(frames).items():
            out = wave_estimates(wave, wave_frames, mapping, survey_modes)
            modes.append(out["modes"].join(labels, on="mode_code", how="left").with_columns(survey))
            indicators.append(out["indicators"].with_columns(survey))
        statuses.append(_status_row(mapping, "loaded", frames))
    return {
        "survey_external.mode_share": shape(
            "survey_external.mode_share", modes, {**RENAMES, "value": "share"}
        ),
        "survey_external.indicator_shares": shape(
            "survey_external.indicator_shares", indicators, RENAMES
        ),
        "survey_external.load_status": shape("survey_external.load_status", statuses),
    }


def _status_row(mapping, state: str, frames=None) -> pl.DataFrame:
    row = {"survey": mapping.survey, "format": mapping.format, "status": state}
    if frames is not None:
        households = frames.households
        row |= {
            "trips": frames.trips.height,
            "dropped_trips": frames.dropped_trips,
            "households": households.height,
            "strata": households.get_column("stratum").n_unique(),
        }
    return pl.DataFrame([row])


def reference_frames(con) -> dict[str, pl.DataFrame]:
    return {
        table: fetch_frame(con, f"select * from {qualified('reference', table)}")
        for table in ("travel_mode", "town", "trip_purpose")
    }


def _spec(name: str, description: str, deps: list) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=name.split("."),
        group_name="surveys",
        kinds={"duckdb", "polars"},
        description=description,
        deps=deps,
    )


def _write(con, written: dict[str, pl.DataFrame], **extra):
    for name, frame in written.items():
        rows = replace_table(con, name, frame)
        preview = dg.MetadataValue.md(frame_to_markdown(frame.head(5)))
        metadata = {"rows": rows, "preview": preview, **extra}
        yield dg.MaterializeResult(asset_key=name.split("."), metadata=metadata)


RAW = [["raw", "survey_households"], ["raw", "survey_persons"], ["raw", "survey_trips"]]
CODES = [["reference", "travel_mode"], ["reference", "town"], ["reference", "trip_purpose"]]
# Their descriptions, like the rest of their documentation, are in warehouse_docs.yaml.
EXTERNAL = {name: warehouse_docs()["tables"][name] for name in EXTERNAL_COLUMNS}


@dg.multi_asset(
    specs=[_spec(name, table.description, [*RAW, *CODES]) for name, table in TAICANG.items()],
    pool="warehouse",
)
def survey_analytics(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """Survey shares, mode split, breakdowns and wave-to-wave change, with 95% intervals."""
    mapping = read_mapping("taicang_demo")
    with duckdb.get_connection() as con:
        frames = load_survey(mapping, con=con)
        lonely = singleton_strata(frames.households)
        if lonely:
            context.log.warning(f"strata with one household (rule '{mapping.singleton}'): {lonely}")
        waves = split_waves(frames)
        del frames  # the waves hold copies; keep one set
        written = taicang_tables(waves, mapping, reference_frames(con))
        yield from _write(con, written, singleton_strata=", ".join(lonely) or "none")


@dg.multi_asset(
    specs=[_spec(name, text, [CODES[0]]) for name, text in EXTERNAL.items()],
    pool="warehouse",
)
def survey_external(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """Real travel surveys (NHTS 2022, PSRC 2017) through their mappings, when configured."""
    configured = os.environ.get(EXTERNAL_DIR_VAR)
    root = Path(configured).expanduser() if configured else None
    with duckdb.get_connection() as con:
        written = external_tables(root, reference_frames(con))
        statuses = written["survey_external.load_status"].select("survey", "status").rows()
        status = "; ".join(f"{survey}: {state}" for survey, state in statuses)
        context.log.info(f"external surveys ({EXTERNAL_DIR_VAR}): {status}")
        yield from _write(con, written, status=status)


survey_analytics_assets: list = [survey_analytics, survey_external]
