"""Fingerprints of SQL models: an unchanged model is taken from the published warehouse, a
changed input rebuilds exactly what reads it, directly or through other models."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from assets.warehouse.assets import materialise_model
from assets.warehouse.fingerprints import BUILT, SKIPPED, contents_fingerprint, input_fingerprints
from assets.warehouse.sql_models import SqlMacro, SqlModel, tables_read


def model(qualified_name: str, sql: str) -> SqlModel:
    schema, name = qualified_name.split(".")
    return SqlModel(schema, name, Path(f"{name}.sql"), sql, name, reads=tables_read(sql))


# x -> staging.a -> intermediate.b; y -> staging.c; audit rows of source "x" -> staging.a
MODELS = [
    model(
        "staging.a",
        "select v * 2 as v from raw.x "
        "where exists (select 1 from audit.source_files where status = 'accepted')",
    ),
    model("staging.c", "select v + 1 as v from raw.y"),
    model("intermediate.b", "select sum(v) as total from staging.a"),
]


def sources(con, x=(1, 2), y=(10,), audit_rows=(("registrations", "run-1", 0.5),)) -> None:
    con.execute("create schema if not exists raw; create schema if not exists audit")
    con.execute("create or replace table raw.x (v integer)")
    con.execute("create or replace table raw.y (v integer)")
    con.executemany("insert into raw.x values (?)", [[v] for v in x])
    con.executemany("insert into raw.y values (?)", [[v] for v in y])
    con.execute(
        "create or replace table audit.source_files "
        "(source varchar, run_id varchar, seconds double, status varchar)"
    )
    for source, run_id, seconds in audit_rows:
        con.execute(
            "insert into audit.source_files values (?, ?, ?, 'accepted')", [source, run_id, seconds]
        )


def night(tmp_path: Path, run: str, **inputs) -> dict[str, str]:
    """One run: a fresh work file, every model in order, then published by copy."""
    work, published = tmp_path / "work.duckdb", tmp_path / "published.duckdb"
    work.unlink(missing_ok=True)
    before = published.read_bytes() if published.exists() else None
    with duckdb.connect(str(work)) as con:
        sources(con, **inputs)
        actions = {m.qualified_name: materialise_model(con, m, published, run)[1] for m in MODELS}
        total = con.execute("select total from intermediate.b").fetchone()[0]
    # taking tables from the published file only reads it (a failed night leaves it as it was)
    assert (published.read_bytes() if published.exists() else None) == before
    shutil.copy(work, published)
    actions["total"] = total
    return actions


def test_an_unchanged_rerun_skips_every_model_and_a_change_rebuilds_its_downstream(tmp_path):
    assert night(tmp_path, "run-1") == {
        "staging.a": BUILT, "staging.c": BUILT, "intermediate.b": BUILT, "total": 6
    }  # fmt: skip
    # run id and seconds of the ledger differ every night: still unchanged
    assert night(tmp_path, "run-2", audit_rows=(("registrations", "run-2", 9.0),)) == {
        "staging.a": SKIPPED, "staging.c": SKIPPED, "intermediate.b": SKIPPED, "total": 6
    }  # fmt: skip
    assert night(tmp_path, "run-3", x=(1, 2, 3)) == {
        "staging.a": BUILT, "staging.c": SKIPPED, "intermediate.b": BUILT, "total": 12
    }  # fmt: skip
    assert night(tmp_path, "run-4", x=(1, 2, 3), y=(11,)) == {
        "staging.a": SKIPPED, "staging.c": BUILT, "intermediate.b": SKIPPED, "total": 12
    }  # fmt: skip
    with duckdb.connect(str(tmp_path / "published.duckdb"), read_only=True) as con:
        assert con.execute(
            "select table_name, action, run_id from audit.model_builds order by table_name"
        ).fetchall() == [
            ("intermediate.b", SKIPPED, "run-4"),
            ("staging.a", SKIPPED, "run-4"),
            ("staging.c", BUILT, "run-4"),
        ]


def test_a_rebuilt_model_whose_rows_did_not_change_rebuilds_nothing_downstream(tmp_path):
    """Early cutoff: a reader's fingerprint uses the rows its input model holds, not what that
    model was built from."""
    counted = model("staging.n", "select count(*) as n from raw.x")
    scaled = model("intermediate.m", "select n * 10 as m from staging.n")
    work, published = tmp_path / "work.duckdb", tmp_path / "published.duckdb"

    def run(x, run_id):
        work.unlink(missing_ok=True)
        with duckdb.connect(str(work)) as con:
            sources(con, x=x)
            actions = [materialise_model(con, m, published, run_id)[1] for m in (counted, scaled)]
            m = con.execute("select m from intermediate.m").fetchone()[0]
        shutil.copy(work, published)
        return actions, m

    assert run((1, 2), "run-1") == ([BUILT, BUILT], 20)
    # other values, the same count: staging.n is computed again, intermediate.m is not
    assert run((3, 4), "run-2") == ([BUILT, SKIPPED], 20)
    assert run((3, 4), "run-3") == ([SKIPPED, SKIPPED], 20)
    assert run((3, 4, 5), "run-4") == ([BUILT, BUILT], 30)


def test_a_published_file_without_output_fingerprints_is_not_taken_from(tmp_path):
    """A warehouse published before model_builds recorded the rows' hash: build, never guess."""
    night(tmp_path, "run-1")
    with duckdb.connect(str(tmp_path / "published.duckdb")) as con:
        con.execute("alter table audit.model_builds drop column output_fingerprint")
    assert set(night(tmp_path, "run-2").values()) == {BUILT, 6}
    assert set(night(tmp_path, "run-3").values()) == {SKIPPED, 6}


def test_a_changed_sql_text_rebuilds_the_model(tmp_path):
    night(tmp_path, "run-1")
    MODELS[1] = model("staging.c", "select v + 2 as v from raw.y")
    try:
        assert night(tmp_path, "run-2")["staging.c"] == BUILT
    finally:
        MODELS[1] = model("staging.c", "select v + 1 as v from raw.y")


def test_a_changed_macro_rebuilds_the_models_calling_it(tmp_path):
    work, published = tmp_path / "work.duckdb", tmp_path / "published.duckdb"
    sql = "with x as (select * from raw.x)\nselect * from scaled(x)"

    def run(factor: int, run_id: str) -> tuple[str, int]:
        scaled = SqlMacro("scaled", ("rows",), f"select v * {factor} as v from query_table(rows)")
        calling = SqlModel(
            "staging", "s", Path("s.sql"), sql, "s", reads=("raw.x",), macros=(scaled,)
        )
        work.unlink(missing_ok=True)
        with duckdb.connect(str(work)) as con:
            sources(con)
            action = materialise_model(con, calling, published, run_id)[1]
            total = con.execute("select sum(v) from staging.s").fetchone()[0]
        shutil.copy(work, published)
        return action, total

    assert run(2, "run-1") == (BUILT, 6)
    assert run(2, "run-2") == (SKIPPED, 6)
    assert run(3, "run-3") == (BUILT, 9)  # the model's SQL is the same, its macro's is not


def test_without_a_published_warehouse_to_take_from_every_model_is_built(tmp_path):
    work = tmp_path / "work.duckdb"
    with duckdb.connect(str(work)) as con:
        sources(con)
        assert {materialise_model(con, m, None, "r")[1] for m in MODELS} == {BUILT}


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        sources(connection)
        yield connection


def test_a_contents_fingerprint_ignores_row_order_but_not_values_or_copies(con):
    before = contents_fingerprint(con, "raw.x")
    con.execute("create or replace table raw.x as select * from (values (2), (1)) t (v)")
    assert contents_fingerprint(con, "raw.x") == before
    con.execute("create or replace table raw.x as select * from (values (2), (1), (1)) t (v)")
    assert contents_fingerprint(con, "raw.x") != before
    con.execute("create or replace table raw.x as select * from (values (2), (3)) t (v)")
    assert contents_fingerprint(con, "raw.x") != before
    con.execute("create or replace table raw.x as select * from (values (2), (1)) t (w)")
    assert contents_fingerprint(con, "raw.x") != before  # a renamed column
    assert contents_fingerprint(con, "raw.absent") is None


def test_floating_point_noise_is_not_a_change_but_a_real_difference_is(con):
    con.execute(
        "create or replace table raw.x as select 0.1::double + 0.2::double as v, null::double as w"
    )
    before = contents_fingerprint(con, "raw.x")
    con.execute("create or replace table raw.x as select 0.3::double as v, null::double as w")
    assert contents_fingerprint(con, "raw.x") == before  # 0.30000000000000004 vs 0.3
    con.execute("create or replace table raw.x as select 0.3000001::double as v, null::double as w")
    assert contents_fingerprint(con, "raw.x") != before


def test_a_ledger_is_hashed_without_its_run_columns_and_only_for_the_sources_read(con):
    con.execute("insert into audit.source_files values ('surveys', 'run-1', 1.0, 'accepted')")
    only_registrations = contents_fingerprint(con, "audit.source_files", ("registrations",))
    whole = contents_fingerprint(con, "audit.source_files")
    con.execute("update audit.source_files set run_id = 'run-9', seconds = 7.5")
    assert contents_fingerprint(con, "audit.source_files") == whole
    con.execute("update audit.source_files set status = 'rejected' where source = 'surveys'")
    assert contents_fingerprint(con, "audit.source_files") != whole
    assert contents_fingerprint(con, "audit.source_files", ("registrations",)) == (
        only_registrations
    )


def feed_fingerprints_across_two_loads(reader: SqlModel) -> list[str | None]:
    """raw.feed's input fingerprint for `reader`, with the same row loaded on two days."""
    con = duckdb.connect()
    con.execute("create schema raw")
    fingerprints = []
    for loaded_at in ("2026-01-01 01:00", "2026-01-02 01:00"):
        con.execute(
            "create or replace table raw.feed as "
            f"select 7 as v, timestamp '{loaded_at}' as _loaded_at"
        )
        fingerprints.append(input_fingerprints(con, reader)["raw.feed"])
    return fingerprints


@pytest.mark.parametrize(
    ("sql", "follows_load_time"),
    [
        ("select v from raw.feed", False),  # rows the same, read again later: unchanged
        ("select * from raw.feed", True),  # passes the load time through
        ("select v from raw.feed where _loaded_at > '2026-01-01'", True),  # names it
    ],
)
def test_a_raw_tables_load_time_is_an_input_only_of_a_model_that_can_see_it(sql, follows_load_time):
    first, second = feed_fingerprints_across_two_loads(model("staging.f", sql))
    assert (first != second) == follows_load_time


def test_a_model_calling_a_macro_still_sees_past_the_load_time():
    """The macros a model calls are created before its columns are read; a model calling one
    is no more tied to the load time than one that does not."""
    twice = "create or replace temp macro twice(x) as 2 * x"
    calls = replace(
        model("staging.f", "select twice(v) as v from raw.feed"),
        macros=(SqlMacro("twice", ("x",), twice, statement=twice),),
    )
    first, second = feed_fingerprints_across_two_loads(calls)
    assert first == second


def audit_fingerprints_across_two_reads(reader: SqlModel, other_source_changes=False) -> list:
    """audit.source_files' input fingerprint for `reader`, with the same GTFS zip read on two
    nights (new run id and load time) and, optionally, a registrations file changing between."""
    con = duckdb.connect()
    con.execute("create schema raw; create schema audit")
    con.execute("create table raw.gtfs_feed_info as select 'v1' as feed_version")
    fingerprints = []
    for night, status in (
        ("01", "accepted"),
        ("02", "rejected" if other_source_changes else "accepted"),
    ):
        con.execute(
            "create or replace table audit.source_files as select * from (values "
            f"('gtfs', 'gtfs/city.zip', 'accepted', 'run-{night}', '2026-01-{night} 01:00'), "
            f"('registrations', 'r.csv', '{status}', 'run-{night}', '2026-01-{night} 01:00')) "
            "as t(source, file_name, status, run_id, loaded_at)"
        )
        fingerprints.append(input_fingerprints(con, reader)["audit.source_files"])
    return fingerprints


GTFS_AUDIT_READER = (
    "select file_name, feed_version from audit.source_files, raw.gtfs_feed_info "
    "where source = 'gtfs'"
)


@pytest.mark.parametrize(
    ("sql", "follows_load_time"),
    [
        (GTFS_AUDIT_READER, False),
        (GTFS_AUDIT_READER.replace("file_name,", "file_name, loaded_at,"), True),
    ],
)
def test_the_audits_load_time_is_an_input_only_of_a_model_that_can_see_it(sql, follows_load_time):
    first, second = audit_fingerprints_across_two_reads(model("marts.f", sql))
    assert (first != second) == follows_load_time


def test_a_gtfs_reader_sees_only_the_gtfs_rows_of_the_audit():
    reader = model("marts.f", GTFS_AUDIT_READER)
    first, second = audit_fingerprints_across_two_reads(reader, other_source_changes=True)
    assert first == second
