"""raw.survey_households / raw.survey_persons / raw.survey_trips, every wave."""

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from assets.ingest.discovery import SURVEYS
from assets.ingest.source_run import WRITES_LEDGERS, empty_table, run_source_ingest
from assets.surveys.records import household_rules, person_rules, survey_format, trip_rules
from assets.surveys.waves import ENTITIES, _with_keys, hashed_expr, ingest_wave

SURVEY_TABLES = [f"survey_{entity}" for entity in ENTITIES]


def _ingest_files(found, data_raw, codes, key, loaded_at):
    """Every wave discovery found; an entity file already refused (unreadable, two
    spellings) is neither read nor reported missing."""
    refused = {tuple(f.series.split("/")) for f, _ in found.unreadable}
    read = [(*f.series.split("/"), f.path) for f in found.files]
    outcomes = []
    for wave_id in found.waves:
        files = {entity: path for wave, entity, path in read if wave == wave_id}
        skip = {entity for wave, entity in refused if wave == wave_id}
        folder = data_raw / "surveys" / wave_id
        outcomes.extend(ingest_wave(folder, files, skip, data_raw, codes, key, loaded_at))
    return outcomes


def _empty_tables(codes, key):
    none = pl.Series([], dtype=pl.String)
    hashed = hashed_expr("hh_id", key)
    rules = {
        "households": household_rules(codes),
        "persons": person_rules(codes, hashed, none),
        "trips": trip_rules(codes, hashed, none, none),
    }
    tables = {}
    for entity in ENTITIES:
        fmt = _with_keys(survey_format(entity, ""))
        tables[fmt.table] = empty_table(fmt, rules[entity], key)
    return tables


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key=["raw", table],
            metadata=WRITES_LEDGERS,
            group_name="surveys",
            kinds={"duckdb", "polars"},
            deps=[
                ["reference", "town"],
                ["reference", "travel_mode"],
                ["reference", "trip_purpose"],
            ],
            description=f"Household travel survey {table.removeprefix('survey_')}, every wave "
            "folder of data_raw/surveys/<wave_id>/, respondent ids pseudonymised.",
        )
        for table in SURVEY_TABLES
    ],
    pool="warehouse",
)
def raw_surveys(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """Survey waves: households, persons and trips, with orphan, weight, time and speed rules."""
    metadata = run_source_ingest(context, duckdb, SURVEYS, _ingest_files, _empty_tables)
    for table in SURVEY_TABLES:
        table_metadata = dict(metadata)
        table_metadata["rows"] = metadata.get(f"rows raw.{table}", 0)
        yield dg.MaterializeResult(asset_key=["raw", table], metadata=table_metadata)
