"""Tiny hand-made warehouses for the SQL model tests.

A `Warehouse` holds an in-memory (or file) DuckDB with the reference tables loaded from
reference/ and empty raw.* / audit.source_files tables shaped as ingest writes them
(assets/ingest/raw_tables.yaml). Tests drop in a few rows per file, build the models, and read
results.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

import duckdb
import polars as pl

from assets.gtfs.feed_frames import empty_raw_frame
from assets.ingest.raw_tables import raw_tables, table_ddl
from assets.ingest.store import QUARANTINE_DDL
from assets.reference.code_tables import CODE_TABLES, read_code_table, read_targets
from assets.warehouse.assets import build_model
from assets.warehouse.sql_models import ordered_models, read_sql_dir, split_declarations
from pipelines import project
from pipelines.warehouse import append_rows, ensure_schemas, replace_table

# Shaped as ingest writes them: the definition ingest reads (assets/ingest/raw_tables.yaml).
RAW_TABLES = {name.removeprefix("raw."): table_ddl(name) for name in raw_tables()}
AUDIT_SOURCE_FILES = (
    "run_id varchar, source varchar, file_name varchar, sha256 varchar, file_date date, "
    "encoding varchar, rows_read bigint, rows_loaded bigint, rows_quarantined bigint, "
    "status varchar, reason varchar, warnings bigint, loaded_at timestamp"
)
DEFAULTS = {
    "registrations": {
        "plate_type": "02",
        "vehicle_type": "K33",
        "usage": "A",
        "fuel": "A",
        "first_registered_on": dt.date(2024, 3, 1),
        "status": "A",
        "status_changed_on": None,
        "owner": "个人",
        "admin_code": "320585101",
    },
    "bus_fleet": {
        "route": "101",
        "length_m": 10.5,
        "seats": 30,
        "powertrain_label": "纯电动",
        "in_service_on": dt.date(2024, 1, 1),
        "retired_on": None,
        "status": "运营",
        "operator": "太仓公交",
    },
    "taxi_fleet": {
        "company": "太仓出租",
        "taxi_kind": "巡游出租车",
        "powertrain_label": "纯电动",
        "operating_area": "市区",
        "in_service_on": dt.date(2024, 1, 1),
        "exited_on": None,
    },
    "survey_trips": {
        "hh_id": "h1",
        "person_no": 1,
        "depart_time": "08:00",
        "arrive_time": "08:30",
        "origin_town": "320585100",
        "dest_town": "320585100",
        "purpose": 1,
        "main_mode": 1,
        "distance_km": 1.0,
        "trip_weight": 1.0,
    },
}
FILE_NAMES = {
    "registrations": "registrations/registrations_{:%Y%m%d}.csv",
    "bus_fleet": "bus_fleet/bus_fleet_{:%Y%m%d}.xlsx",
    "taxi_fleet": "taxi_fleet/taxi_fleet_{:%Y%m%d}.csv",
}
LOADED_AT = dt.datetime(2026, 1, 20, 9, 0)


# The GTFS service models read raw GTFS feeds (tests/test_gtfs_service.py builds them from a
# feed); here the marts they end in are filled by hand and the Python-written GTFS tables are
# empty, so the models that compute the marts are left out. The feed-version dimension and its
# readers (the feed versions in effect, the bus-km split) stay: they are built from the audit
# rows `Warehouse.feed` adds.
GTFS_SERVICE_MARTS = ("marts.fct_gtfs_route_service_daily", "marts.fct_gtfs_feed_service_daily")


def gtfs_service_models(everything, declared) -> set[str]:
    """The models the fixture leaves out: the two service marts, the models upstream of them,
    and the models reading one of those (a model reading a mart or a Python-written table, which
    the fixture provides, stays). `everything` is in build order."""
    upstream = set(GTFS_SERVICE_MARTS)
    for model in reversed(everything):
        if model.qualified_name in upstream:
            upstream.update(model.reads)
    left_out = {model.qualified_name for model in everything if model.qualified_name in upstream}
    provided = {*GTFS_SERVICE_MARTS, *declared}
    for model in everything:
        if any(table in left_out and table not in provided for table in model.reads):
            left_out.add(model.qualified_name)
    return left_out


@functools.cache
def models():
    models, declared = split_declarations(read_sql_dir(project.SQL_DIR))
    everything = ordered_models(models, declared)
    service = gtfs_service_models(everything, declared)
    return tuple(model for model in everything if model.qualified_name not in service)


@functools.cache
def _reference_frames() -> dict[str, pl.DataFrame]:
    frames = {name: read_code_table(project.REFERENCE_DIR, name) for name in CODE_TABLES}
    return {**frames, "targets_text": read_targets(project.REFERENCE_DIR)}


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


class Warehouse:
    """A DuckDB with reference.* loaded and raw.* / audit.source_files ready for rows."""

    def __init__(self, database: str = ":memory:"):
        self.con = duckdb.connect(database)
        ensure_schemas(self.con)
        for name, frame in _reference_frames().items():
            replace_table(self.con, f"reference.{name}", frame)
        self.con.execute(
            "create or replace table reference.targets as select * replace "
            "(cast(target as decimal(18, 6)) as target) from reference.targets_text"
        )
        self.con.execute("drop table reference.targets_text")
        for table, columns in RAW_TABLES.items():
            self.con.execute(f"create table raw.{table} ({columns})")
        self.con.execute(f"create table audit.source_files ({AUDIT_SOURCE_FILES})")
        self.con.execute(QUARANTINE_DDL)  # the ingest ledger quality.reconciliation reads
        # Built by the survey statistics asset in a real run; empty here (no intervals).
        self.con.execute(
            "create table metrics.survey_share_estimates (indicator_id varchar, period varchar, "
            "ci_low double, ci_high double)"
        )
        self.con.execute("comment on table metrics.survey_share_estimates is 'fixture'")
        # Built by the GTFS assets and service models in a real run; empty until a test adds a
        # feed. The feed-version dimension and bus-km by energy class (models) read them.
        replace_table(self.con, "raw.gtfs_feed_info", empty_raw_frame("feed_info"))
        self.con.execute(
            "create table marts.fct_gtfs_validation_notices (feed_version varchar, "
            "severity varchar)"
        )
        self.con.execute(
            "create table intermediate.int_gtfs__service_dates (feed_version varchar, "
            "service_id varchar, service_date date)"
        )
        self.con.execute(
            "create table marts.fct_gtfs_route_service_daily (feed_version varchar, "
            "feed_name varchar, day_type varchar, route_short_name varchar, is_bus boolean, "
            "vehicle_km double)"
        )
        for schema, table in (
            ("metrics", "survey_share_estimates"),
            ("marts", "fct_gtfs_validation_notices"),
            ("marts", "fct_gtfs_route_service_daily"),
        ):
            self.con.execute(f"comment on table {schema}.{table} is 'fixture'")
            for (column,) in self.con.execute(
                "select column_name from duckdb_columns() where table_name = ?", [table]
            ).fetchall():
                self.con.execute(f"comment on column {schema}.{table}.{column} is 'fixture'")
        self._row_numbers: dict[str, int] = {}

    def add_file(
        self,
        source,
        file_name,
        file_date=None,
        status="accepted",
        run_id="run-1",
        loaded_at=LOADED_AT,
    ) -> str:
        self.con.execute(
            "insert into audit.source_files values (?, ?, ?, ?, ?, 'utf-8', 0, 0, 0, ?, ?, 0, ?)",
            [
                run_id,
                source,
                file_name,
                f"sha-{file_name}",
                file_date,
                status,
                None if status == "accepted" else "rejected in test",
                loaded_at,
            ],
        )
        return file_name

    def add_rows(self, table: str, file_name: str, rows: Iterable[dict], file_date=None) -> None:
        records = []
        for row in rows:
            number = self._row_numbers.get(file_name, 0) + 1
            self._row_numbers[file_name] = number
            lineage = {
                "_source_file": file_name,
                "_source_sha256": f"sha-{file_name}",
                "_file_date": file_date,
                "_row_number": number,
                "_loaded_at": LOADED_AT,
                "_extra": "{}",
            }
            identity = {
                "plate_pseudonym": f"plate-{number}",
                "fleet_no": f"B{number:04d}",
                "trip_no": number,
            }
            columns = RAW_TABLES[table].split(", ")
            names = {column.split(" ")[0] for column in columns}
            record = {**DEFAULTS.get(table, {}), **row}
            records.append(
                {**lineage, **{k: v for k, v in identity.items() if k in names}, **record}
            )
        if records:
            append_rows(self.con, f"raw.{table}", pl.DataFrame(records, infer_schema_length=None))

    def ledger(
        self,
        source: str,
        file_date: str,
        rows: Iterable[dict],
        status: str = "accepted",
        file_name: str | None = None,
    ) -> str:
        """One registrations / bus_fleet / taxi_fleet file with its audit row and records."""
        date = day(file_date)
        name = file_name or FILE_NAMES[source].format(date)
        self.add_file(source, name, date, status)
        self.add_rows(source, name, rows, date)
        return name

    def feed(
        self,
        feed_name: str,
        file_date: str | None,
        route_km: dict[str, dict[str, float]],
        status: str = "accepted",
        is_bus: bool = True,
        version: str | None = None,
    ) -> str:
        """One GTFS feed version (its zip's audit row) with each route's km per day type
        ({route: {day_type: km}}); `file_date` None for a zip named without a date."""
        date = day(file_date) if file_date else None
        version = version or f"sha-{feed_name}-{file_date}-{status}"
        file_name = f"gtfs/{feed_name}_{date:%Y%m%d}.zip" if date else f"gtfs/{feed_name}.zip"
        self.con.execute(
            "insert into audit.source_files (run_id, source, file_name, sha256, file_date, "
            "status, loaded_at) values ('run-1', 'gtfs', ?, ?, ?, ?, ?)",
            [file_name, version, date, status, LOADED_AT],
        )
        for route, by_day in route_km.items():
            for day_type, km in by_day.items():
                self.con.execute(
                    "insert into marts.fct_gtfs_route_service_daily values (?, ?, ?, ?, ?, ?)",
                    [version, feed_name, day_type, route, is_bus, km],
                )
        return version

    def survey(self, wave_id: str, trips: Iterable[dict], status: str = "accepted") -> None:
        """One wave's trips file (households and persons are not read by the indicators)."""
        name = self.add_file("surveys", f"surveys/{wave_id}/trips.csv", None, status)
        self.add_rows("survey_trips", name, ({"wave_id": wave_id, **trip} for trip in trips))

    def set_target(self, indicator_id: str, **changes) -> None:
        """Change (or add) a target the way an edit of targets.yaml would."""
        exists = self.rows("select count(*) from reference.targets where id = ?", indicator_id)
        if not exists[0][0]:
            self.con.execute(
                "insert into reference.targets (id, name_zh, name_en, target, comparator, "
                "deadline, kind, source) values (?, ?, ?, '0.5', '>=', date '2025-12-31', "
                "'fleet', 'test')",
                [indicator_id, indicator_id, indicator_id],
            )
        for column, value in changes.items():
            self.con.execute(
                f"update reference.targets set {column} = ? where id = ?", [value, indicator_id]
            )

    def build(self) -> Warehouse:
        for model in models():
            build_model(self.con, model)
        return self

    def build_only(self, *names: str) -> Warehouse:
        """Build the named models (schema.table), in build order, and nothing else."""
        for model in models():
            if model.qualified_name in names:
                build_model(self.con, model)
        return self

    def rows(self, sql: str, *params) -> list[tuple]:
        return self.con.execute(sql, list(params)).fetchall()

    def gap(self, indicator_id: str, columns: str) -> tuple:
        """Some columns (e.g. "status, units_to_close") of one metrics.target_gap row."""
        sql = f"select {columns} from metrics.target_gap where indicator_id = ?"
        return self.con.execute(sql, [indicator_id]).fetchone()

    def ratio(self, indicator_id: str, period: str) -> tuple:
        """(numerator, denominator, sample_size) of one period, exact."""
        rows = self.rows(
            "select numerator, denominator, sample_size from metrics.indicator_ratios "
            "where indicator_id = ? and period = ?",
            indicator_id,
            period,
        )
        return rows[0] if rows else None
