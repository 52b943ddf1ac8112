"""Survey formats as configuration: one YAML per format maps its files onto our survey schema.

Why: the estimator must never know which survey it reads. Taicang's own waves, the US NHTS and
PSRC's DaySim extract differ in file names, column names, codes and units; each
`mappings/<format>.yaml` says how to read them (polars SQL expressions over the source columns,
code tables onto ours, weights, cluster and stratum), and `load_survey` returns the same three
frames whatever the source. Codes the mapping does not list stop the load with the codes named:
a new code in a new file must be a decision, not a silent `other`.
"""

import dataclasses
import re
from pathlib import Path

import polars as pl
import yaml

from pipelines.sql_text import column_list, qualified
from pipelines.warehouse import fetch_frame

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"
ENTITIES = ("households", "persons", "trips")
SCHEMA = {
    "households": {
        "wave_id": pl.String,
        "hh_id": pl.String,
        "stratum": pl.String,
        "town_code": pl.String,
        "hh_weight": pl.Float64,
    },
    "persons": {
        "wave_id": pl.String,
        "hh_id": pl.String,
        "person_no": pl.Int64,
        "age": pl.Float64,
        "sex": pl.Int64,
        "person_weight": pl.Float64,
    },
    "trips": {
        "wave_id": pl.String,
        "hh_id": pl.String,
        "person_no": pl.Int64,
        "trip_no": pl.Int64,
        "purpose": pl.Int64,
        "main_mode": pl.Int64,
        "distance_km": pl.Float64,
        "trip_weight": pl.Float64,
    },
}
REQUIRED = {
    "households": ("wave_id", "hh_id", "stratum"),
    "persons": ("wave_id", "hh_id", "person_no"),
    "trips": ("wave_id", "hh_id", "person_no", "main_mode", "trip_weight"),
}
TABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")


class MappingError(ValueError):
    """A survey does not fit its mapping (unknown code, missing id, weight not > 0)."""


@dataclasses.dataclass(frozen=True)
class SurveyMapping:
    format: str
    survey: str
    source: dict
    columns: dict
    codes: dict
    design: dict

    @property
    def singleton(self) -> str:
        return self.design.get("singleton", "center")

    @property
    def include_households_without_trips(self) -> bool:
        return bool(self.design.get("include_households_without_trips", True))


@dataclasses.dataclass(frozen=True)
class SurveyFrames:
    """The survey in our schema (SCHEMA), plus the trips left out (mode code mapped to null)."""

    households: pl.DataFrame
    persons: pl.DataFrame
    trips: pl.DataFrame
    dropped_trips: int = 0


def read_mapping(name_or_path: str | Path) -> SurveyMapping:
    path = Path(name_or_path)
    if not path.suffix:
        path = MAPPINGS_DIR / f"{name_or_path}.yaml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    codes = {
        column: {str(k): v for k, v in table.items()}
        for column, table in (spec.get("codes") or {}).items()
    }
    return SurveyMapping(
        format=spec["format"],
        survey=spec.get("survey", spec["format"]),
        source=spec["source"],
        columns=spec["columns"],
        codes=codes,
        design=spec.get("design") or {},
    )


def available_mappings() -> list[SurveyMapping]:
    return [read_mapping(path) for path in sorted(MAPPINGS_DIR.glob("*.yaml"))]


def read_source(mapping: SurveyMapping, *, con=None, root: Path | None = None) -> dict:
    """The source tables as read, by entity: warehouse tables (typed) or CSV files (all text)."""
    if mapping.source["kind"] == "warehouse":
        tables = mapping.source["tables"]
        for table in tables.values():
            if not TABLE_NAME.match(table):
                raise MappingError(f"{mapping.format}: not a schema.table name: {table!r}")
        return {
            entity: fetch_frame(con, f"select {_read_list(mapping, entity)} from {qualified(t)}")
            for entity, t in tables.items()
        }
    folder = Path(root) / mapping.source["folder"]
    return {
        entity: pl.read_csv(folder / file_name, infer_schema=False)
        for entity, file_name in mapping.source["files"].items()
    }


def _read_list(mapping: SurveyMapping, entity: str) -> str:
    """The source columns the mapping's expressions for `entity` read (for persons, also
    those of households when the source has none), as a select list. Only these are
    fetched: the raw survey tables also carry lineage (file, sha256, extras), and at
    provincial scale `select *` of 7.5 M trips held 6 GB to map 0.8 GB."""
    entities = [entity]
    if entity == "persons" and "households" not in mapping.source["tables"]:
        entities.append("households")
    names: dict[str, None] = {}
    for name in entities:
        for expression in mapping.columns.get(name, {}).values():
            names.update(dict.fromkeys(pl.sql_expr(str(expression)).meta.root_names()))
    return column_list(list(names)) if names else "*"


def map_entity(mapping: SurveyMapping, entity: str, raw: pl.DataFrame) -> pl.DataFrame:
    """Evaluate the mapping's expressions, translate codes, cast to SCHEMA[entity].

    Text that is not a number becomes null (NHTS writes -9 or blanks for not ascertained);
    a null in a required column is then refused by `_check`, never guessed.
    """
    spec = mapping.columns[entity]
    exprs = [
        (pl.sql_expr(str(spec[name])) if name in spec else pl.lit(None)).alias(name)
        for name in SCHEMA[entity]
    ]
    frame = raw.select(exprs)
    for name, dtype in SCHEMA[entity].items():
        column = frame.get_column(name)
        if name in mapping.codes:
            column = translate_codes(column, mapping.codes[name], f"{mapping.format}.{name}")
        elif column.dtype == pl.String and dtype != pl.String:
            column = column.str.strip_chars().cast(pl.Float64, strict=False)
        frame = frame.with_columns(column.cast(dtype, strict=False).alias(name))
    return frame


def translate_codes(column: pl.Series, table: dict, what: str) -> pl.Series:
    """Source codes (compared as text) to ours; a code mapped to null becomes null."""
    text = column.cast(pl.String).str.strip_chars()
    unknown = text.drop_nulls().filter(~text.drop_nulls().is_in(list(table))).unique().sort()
    if unknown.len():
        raise MappingError(f"{what}: codes not in the mapping: {unknown.to_list()[:20]}")
    return text.replace_strict(table, default=None, return_dtype=pl.Int64)


def load_survey(mapping: SurveyMapping, *, con=None, root: Path | None = None) -> SurveyFrames:
    """Read a mapped survey into our schema; households come from persons when not shipped."""
    raw = read_source(mapping, con=con, root=root)
    if "households" not in raw:
        raw["households"] = raw["persons"]
    frames = {entity: map_entity(mapping, entity, raw[entity]) for entity in ENTITIES}
    households = frames["households"].unique(
        ["wave_id", "hh_id"], keep="first", maintain_order=True
    )
    trips = frames["trips"]
    unmapped_mode = trips.get_column("main_mode").is_null()
    _check(mapping, households, frames["persons"], trips.filter(~unmapped_mode))
    return SurveyFrames(
        households=households,
        persons=frames["persons"],
        trips=trips.filter(~unmapped_mode),
        dropped_trips=int(unmapped_mode.sum()),
    )


def _check(mapping: SurveyMapping, households, persons, trips) -> None:
    for entity, frame in (("households", households), ("persons", persons), ("trips", trips)):
        for name in REQUIRED[entity]:
            if name != "main_mode" and frame.get_column(name).null_count():
                raise MappingError(f"{mapping.format}.{entity}.{name}: missing values")
    if (trips.get_column("trip_weight") <= 0).any():
        raise MappingError(f"{mapping.format}.trips.trip_weight: weights must be > 0")
    orphans = trips.join(households, on=["wave_id", "hh_id"], how="anti").height
    if orphans:
        raise MappingError(f"{mapping.format}: {orphans} trips whose household has no stratum")


def split_waves(frames: SurveyFrames) -> dict[str, SurveyFrames]:
    """One SurveyFrames per wave that has trips, in wave order (waves are separate samples)."""
    waves = sorted(frames.trips.get_column("wave_id").unique().drop_nulls().to_list())

    def pick(frame: pl.DataFrame, wave: str) -> pl.DataFrame:
        return frame.filter(pl.col("wave_id") == wave)

    return {
        wave: SurveyFrames(
            pick(frames.households, wave), pick(frames.persons, wave), pick(frames.trips, wave)
        )
        for wave in waves
    }
