"""The SQL asset factory: discovery, dependencies, errors, documentation, in-process runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest
from dagster_duckdb import DuckDBResource

from assets.reference.assets import reference_tables
from assets.warehouse.assets import build_model, model_key
from assets.warehouse.assets import sql_model_assets as sql_model_assets_of
from assets.warehouse.fingerprints import model_fingerprint
from assets.warehouse.sql_models import (
    MODEL_SCHEMAS,
    SqlModelError,
    check_declarations,
    discover_declarations,
    discover_models,
    parse_header,
    read_model,
    tables_read,
)
from assets.warehouse.table_writers import also_writes
from pipelines import project
from pipelines.definitions import SQL_MODEL_ASSETS as sql_model_assets
from pipelines.warehouse import comment_model, replace_table
from tests.sql_fixtures import Warehouse, day, models

ASSETS = {asset.key: asset for asset in sql_model_assets}


def write_models(root: Path, files: dict[str, str]) -> Path:
    for relative, body in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"-- {path.stem}\n-- grain: test\n{body}\n", encoding="utf-8")
    return root


def test_cte_names_are_not_dependencies():
    sql = """
        with vehicles as (select * from staging.stg_registrations__vehicles),
        source_files as (select * from audit.source_files),
        final as (select * from vehicles inner join reference.fuel on true, range(3) as r (i))
        select * from final
    """
    assert tables_read(sql) == (
        "audit.source_files",
        "reference.fuel",
        "staging.stg_registrations__vehicles",
    )


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("select * from vehicles", "neither a CTE nor schema-qualified"),
        ("select 1; select 2", "exactly one select"),
        ("create table marts.x as select 1", "exactly one select"),
        ("select * from (", "cannot parse"),
    ],
)
def test_bad_model_sql_is_refused(sql, message):
    with pytest.raises(SqlModelError, match=message):
        tables_read(sql)


def test_header_gives_description_and_column_docs():
    sql = (
        "-- Buses by month.\n-- grain: one row per month\n--   and per powertrain\n-- columns:\n"
        "--   period: calendar month\n--   buses: buses in service on the\n--     evaluation day\n"
        "select 1"
    )
    assert parse_header(sql) == (
        "Buses by month.\ngrain: one row per month and per powertrain",
        {"period": "calendar month", "buses": "buses in service on the evaluation day"},
    )


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"marts/a.sql": "select * from staging.missing"}, "no model dbt_like_sql/staging"),
        (
            {"marts/a.sql": "select * from marts.b", "marts/b.sql": "select * from marts.a"},
            "cycle: marts.(a|b) reads marts.(a|b) reads marts.(a|b)",
        ),
        ({"marts/a.sql": "select * from public.x"}, "schema 'public'"),
        ({"marts/fct-buses.sql": "select 1"}, "must be a SQL identifier"),
    ],
)
def test_unknown_references_and_cycles_are_clear_errors(tmp_path, files, message):
    with pytest.raises(SqlModelError, match=message):
        discover_models(write_models(tmp_path, files), other_tables={"raw.registrations"})


def _python_assets() -> list[dg.AssetsDefinition]:
    """Two ingest assets writing the ledgers beside raw.*, and a multi-asset building marts."""

    def ingest(table: str) -> dg.AssetsDefinition:
        @dg.asset(key=["raw", table], metadata=also_writes("audit.source_files"))
        def _ingest():
            return None

        return _ingest

    @dg.multi_asset(
        specs=[
            dg.AssetSpec(["marts", "fct_service"], metadata=also_writes("audit.service_log")),
            dg.AssetSpec(["metrics", "service_values"], metadata=also_writes("audit.service_log")),
        ]
    )
    def service():
        return None

    return [ingest("bus_fleet"), ingest("taxi_fleet"), service]


DECLARED = {  # the tables _python_assets builds, declared as dbt_like_sql/ declares them
    "marts/fct_service.sql": "-- built by: tests/test_sql_factory.py\n-- columns:\n--   a: an a",
    "metrics/service_values.sql": "-- built by: tests/test_sql_factory.py",
}


def test_a_model_may_read_any_table_an_asset_writes(tmp_path):
    root = write_models(
        tmp_path,
        {
            **DECLARED,
            "staging/files.sql": "select * from audit.source_files",
            "marts/m.sql": "select * from marts.fct_service, metrics.service_values, "
            "audit.service_log, staging.files",
        },
    )
    assets = {a.key: a for a in sql_model_assets_of(_python_assets(), root)}
    deps = {
        key.to_user_string(): sorted(p.to_user_string() for p in a.asset_deps[key])
        for key, a in assets.items()
    }
    assert deps == {
        "staging/files": ["raw/bus_fleet", "raw/taxi_fleet"],  # every writer of the ledger
        # one key of the multi-asset for the table both its specs declare
        "marts/m": ["marts/fct_service", "metrics/service_values", "staging/files"],
    }


def test_a_table_no_asset_writes_is_an_error_when_the_definitions_load(tmp_path):
    root = write_models(tmp_path, {**DECLARED, "marts/m.sql": "select * from marts.fct_unknown"})
    with pytest.raises(SqlModelError, match="no model dbt_like_sql/marts/fct_unknown.sql"):
        sql_model_assets_of(_python_assets(), root)


def test_a_python_built_mart_without_a_declaration_is_an_error_when_the_definitions_load(
    tmp_path,
):
    root = write_models(tmp_path, {"metrics/service_values.sql": "-- built by: tests/x.py"})
    with pytest.raises(SqlModelError, match=r"without a declaration: \['marts.fct_service'\]"):
        sql_model_assets_of(_python_assets(), root)


def test_a_declared_table_no_asset_writes_is_an_error_when_the_definitions_load(tmp_path):
    root = write_models(tmp_path, {**DECLARED, "marts/fct_orphan.sql": "-- built by: x.py"})
    with pytest.raises(SqlModelError, match=r"no asset writes: \['marts.fct_orphan \(built by"):
        sql_model_assets_of(_python_assets(), root)


def test_check_declarations_leaves_the_tables_of_other_schemas():
    check_declarations({}, {"raw.bus_fleet", "audit.service_log"})


def test_a_declaration_is_a_header_naming_its_writer_and_no_select(tmp_path):
    root = write_models(tmp_path, DECLARED)
    declared = discover_declarations(root)
    assert sorted(declared) == ["marts.fct_service", "metrics.service_values"]
    service = declared["marts.fct_service"]
    assert (service.built_by, service.reads) == ("tests/test_sql_factory.py", ())
    assert (service.description, service.column_docs) == ("fct_service\ngrain: test", {"a": "an a"})
    assert discover_models(root, other_tables=set()) == []  # no asset is run for one


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("-- built by: x.py\nselect 1", "a declaration .* holds no select"),
        ("-- built by:", "names no module"),
        ("", "exactly one select"),  # a header alone, no writer named, is not a declaration
    ],
)
def test_a_malformed_declaration_is_refused(tmp_path, body, message):
    with pytest.raises(SqlModelError, match=message):
        discover_declarations(write_models(tmp_path, {"marts/t.sql": body}))


@pytest.mark.parametrize(
    "declaration", discover_declarations(project.SQL_DIR).values(), ids=lambda d: d.qualified_name
)
def test_every_declaration_names_the_module_that_writes_its_table(declaration):
    module = project.REPO_ROOT / declaration.built_by
    assert f'"{declaration.qualified_name}"' in module.read_text(encoding="utf-8")


def test_a_model_may_read_a_declared_table_with_references_checked(tmp_path):
    root = write_models(tmp_path, {**DECLARED, "marts/m.sql": "select * from marts.fct_service"})
    assert [m.qualified_name for m in discover_models(root, other_tables=set())] == ["marts.m"]


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ("a integer, b integer", r"undocumented: \['b'\], documented but absent: \[\]"),
        ("b integer", r"undocumented: \['b'\], documented but absent: \['a'\]"),
    ],
)
def test_a_python_built_table_that_differs_from_its_declaration_is_an_error(
    tmp_path, columns, message
):
    root = write_models(tmp_path, DECLARED)
    with duckdb.connect() as con:
        con.execute(f"create schema marts; create table marts.fct_service ({columns})")
        with pytest.raises(SqlModelError, match=f"marts.fct_service: .*{message}"):
            comment_model(con, discover_declarations(root)["marts.fct_service"])


def test_a_python_built_table_is_commented_from_its_declaration_as_it_is_written():
    frame = pl.DataFrame(
        {
            "rule_order": [1],
            "code": ["x"],
            "severity": ["ERROR"],
            "label_zh": ["规则"],
            "description": ["d"],
        }
    )
    with duckdb.connect() as con:
        replace_table(con, "marts.dim_gtfs_rule", frame)
        (table,) = con.execute(
            "select comment from duckdb_tables() where table_name = 'dim_gtfs_rule'"
        ).fetchone()
        columns = con.execute(
            "select column_name, comment from duckdb_columns() "
            "where table_name = 'dim_gtfs_rule' and column_name = 'severity'"
        ).fetchall()
    assert table.startswith("The GTFS validation rule catalogue (reference/gtfs_rules.csv).")
    assert columns == [("severity", "ERROR (GTFS must) or WARNING (should)")]


def test_models_come_in_dependency_order(tmp_path):
    root = write_models(
        tmp_path,
        {
            "staging/s.sql": "select * from raw.registrations",
            "marts/m.sql": "select * from staging.s, reference.fuel",
            "intermediate/i.sql": "select * from marts.m",  # a layer may read a later one
        },
    )
    assert [m.qualified_name for m in discover_models(root)] == [
        "staging.s",
        "marts.m",
        "intermediate.i",
    ]


def write_macro(root: Path, name: str, arguments: str, body: str) -> None:
    path = root / "macros" / f"{name}.sql"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"-- {name}\n-- arguments: {arguments}\n{body}\n", encoding="utf-8")


def test_a_model_reads_the_tables_of_the_macros_it_calls_directly_or_not(tmp_path):
    write_macro(tmp_path, "doubled", "rows", "select v * 2 as v from query_table(rows)")
    write_macro(tmp_path, "fuel_codes", "", "select * from reference.fuel")
    write_macro(tmp_path, "doubled_x", "", "select * from doubled('raw.x'), raw.x as x")
    root = write_models(tmp_path, {"marts/m.sql": "select * from doubled_x(), staging.s"})
    (model,) = discover_models(root)
    assert model.reads == ("raw.x", "staging.s")  # fuel_codes is not called
    assert [macro.name for macro in model.macros] == ["doubled", "doubled_x"]
    assert [macro.arguments for macro in model.macros] == [("rows",), ()]


def test_a_macro_without_an_arguments_line_is_refused(tmp_path):
    write_models(tmp_path, {"macros/doubled.sql": "select 1 as v"})
    with pytest.raises(SqlModelError, match="one arguments: line"):
        discover_models(tmp_path)


def test_a_model_is_built_with_its_macros_which_the_warehouse_file_does_not_keep(tmp_path):
    write_macro(tmp_path, "doubled", "rows", "select v * 2 as v from query_table(rows)")
    root = write_models(
        tmp_path,
        {"staging/m.sql": "with x as (select * from raw.x)\nselect * from doubled(x) order by v"},
    )
    (model,) = discover_models(root)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create schema raw; create table raw.x as select * from range(3) t (v)")
        assert build_model(con, model) == 3
        assert con.execute("select v from staging.m").fetchall() == [(0,), (2,), (4,)]
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert con.execute(
            "select count(*) from duckdb_functions() where function_name = 'doubled'"
        ).fetchone() == (0,)


@pytest.mark.parametrize(
    ("key", "deps"),
    [
        (
            ["staging", "stg_audit__accepted_files"],  # the ledger: every source's ingest
            [
                ["raw", "bus_fleet"],
                ["raw", "gtfs_agency"],
                ["raw", "registrations"],
                ["raw", "survey_households"],
                ["raw", "taxi_fleet"],
            ],
        ),
        (
            ["staging", "stg_bus_fleet__buses"],
            [["raw", "bus_fleet"], ["staging", "stg_audit__accepted_files"]],
        ),
        (
            ["marts", "dim_bus_history"],  # through the macro bus_fleet_snapshots()
            [["raw", "bus_fleet"], ["staging", "stg_audit__accepted_files"]],
        ),
        (
            ["marts", "dim_vehicle"],
            [
                ["intermediate", "int_vehicles__owner_category"],
                ["reference", "fuel"],
                ["reference", "plate_type"],
                ["staging", "stg_registrations__vehicles"],
            ],
        ),
        (
            ["metrics", "target_gap"],
            [
                ["intermediate", "int_targets__periods"],
                ["intermediate", "int_targets__trend"],
                ["marts", "dim_indicator"],
                ["reference", "targets"],
            ],
        ),
        (
            ["intermediate", "int_targets__trend"],
            [["intermediate", "int_targets__periods"]],
        ),
    ],
)
def test_asset_deps_are_the_tables_read(key, deps):
    asset = ASSETS[dg.AssetKey(key)]
    assert sorted(asset.asset_deps[asset.key]) == [dg.AssetKey(d) for d in deps]


@pytest.mark.parametrize("asset", sql_model_assets, ids=lambda a: a.key.to_user_string())
def test_every_asset_has_group_kinds_and_description(asset):
    spec = next(iter(asset.specs))
    assert spec.group_name == spec.key.path[0]
    assert spec.kinds == {"duckdb", "sql"}
    assert "grain:" in spec.description and "key:" in spec.description


def test_every_model_folder_is_discovered():
    assert {key.path[0] for key in ASSETS} == {
        "staging",
        "intermediate",
        "marts",
        "metrics",
        "quality",
    }
    models = [p for p in project.SQL_DIR.glob("*/*.sql") if p.parent.name in MODEL_SCHEMAS]
    declarations = discover_declarations(project.SQL_DIR)
    assert len(ASSETS) == len(models) - len(declarations)
    assert not {model_key(name) for name in declarations} & set(ASSETS)


def test_a_model_carries_the_macros_it_calls(tmp_path):
    root = write_models(
        tmp_path,
        {
            "staging/doubled.sql": "select twice(21) as answer",
            "staging/plain.sql": "select 21 as answer",
        },
    )
    (root / "macros").mkdir()
    (root / "macros" / "twice.sql").write_text(
        "-- x doubled\ncreate or replace temp macro twice(x) as 2 * x\n", encoding="utf-8"
    )
    doubled, plain = sorted(discover_models(root), key=lambda model: model.name)
    assert [macro.create_sql for macro in doubled.macros] == [
        "create or replace temp macro twice(x) as 2 * x"
    ]
    assert doubled.macros[0].arguments == ("x",)
    assert plain.macros == ()
    con = duckdb.connect()
    build_model(con, doubled)
    assert con.execute("select answer from staging.doubled").fetchall() == [(42,)]
    plus = "create or replace temp macro twice(x) as x + x"
    changed = replace(doubled, macros=(replace(doubled.macros[0], sql=plus, statement=plus),))
    assert changed.code_version != doubled.code_version
    assert model_fingerprint(changed, {}) != model_fingerprint(doubled, {})


def test_a_scalar_macro_file_must_create_the_macro_it_is_named_after(tmp_path):
    root = write_models(tmp_path, {"staging/tripled.sql": "select twice(7) as answer"})
    (root / "macros").mkdir()
    (root / "macros" / "twice.sql").write_text(
        "-- x tripled, misnamed\ncreate or replace temp macro thrice(x) as 3 * x\n",
        encoding="utf-8",
    )
    with pytest.raises(SqlModelError, match=r"macros/twice.sql.*temp macro twice"):
        discover_models(root)


@pytest.fixture(scope="module")
def built() -> Warehouse:
    warehouse = Warehouse()
    warehouse.ledger("bus_fleet", "2025-06-15", [{}])
    return warehouse.build()


def test_every_marts_and_metrics_column_has_a_comment(built):
    assert (
        built.rows(
            "select table_name, column_name from duckdb_columns() "
            "where schema_name in ('marts', 'metrics') and (comment is null or comment = '')"
        )
        == []
    )
    assert built.rows(
        "select count(*) from duckdb_tables() "
        "where schema_name in ('marts', 'metrics') and (comment is null or comment = '')"
    ) == [(0,)]


def test_an_undocumented_marts_column_is_an_error(built, tmp_path):
    path = write_models(tmp_path, {"marts/undocumented.sql": "select 1 as vehicles"})
    with pytest.raises(SqlModelError, match=r"undocumented: \['vehicles'\]"):
        build_model(built.con, read_model(path / "marts/undocumented.sql", "marts"))


INTERFACE = {  # docs/interface.md: the tables every consumer may rely on, in order
    "indicator_values": "indicator_id VARCHAR, period VARCHAR, period_end DATE, value DOUBLE, "
    "numerator DOUBLE, denominator DOUBLE, sample_size BIGINT, ci_low DOUBLE, ci_high DOUBLE",
    "target_gap": "indicator_id VARCHAR, name_zh VARCHAR, name_en VARCHAR, target_value DOUBLE, "
    "deadline DATE, latest_period VARCHAR, latest_value DOUBLE, value_at_deadline DOUBLE, "
    "gap_pp DOUBLE, status VARCHAR, projected_at_deadline DOUBLE, units_to_close BIGINT, "
    "as_of DATE",
}


@pytest.mark.parametrize("table", INTERFACE)
def test_interface_tables_have_exactly_the_contract_columns(built, table):
    columns = built.rows(
        "select column_name || ' ' || data_type from duckdb_columns() "
        "where schema_name = 'metrics' and table_name = ? order by column_index",
        table,
    )
    assert ", ".join(column for (column,) in columns) == INTERFACE[table]


# the models the fixture warehouse can build (tests.sql_fixtures: not the GTFS service models)
BUILT_HERE = {dg.AssetKey([model.schema, model.name]) for model in models()}


def test_materialize_in_process(tmp_path):
    database = tmp_path / "warehouse.duckdb"
    warehouse = Warehouse(str(database))
    warehouse.ledger(
        "bus_fleet",
        "2026-01-15",
        [
            {
                "powertrain_label": "纯电动" if i < 322 else "柴油",
                "in_service_on": day("2025-12-01"),
            }
            for i in range(350)
        ],
    )
    warehouse.con.close()
    result = dg.materialize(
        [reference_tables, *(asset for asset in sql_model_assets if asset.key in BUILT_HERE)],
        resources={"duckdb": DuckDBResource(database=str(database))},
    )
    assert result.success
    metadata = result.asset_materializations_for_node("metrics__target_gap")[0].metadata
    assert metadata["dagster/row_count"].value == 5  # one row per target in targets.yaml
    with duckdb.connect(str(database), read_only=True) as con:
        # 322 of 350 in 2025-12 (the deadline's month), as_of 2026-01-15 is past the deadline
        assert con.execute(
            "select status, value_at_deadline, units_to_close, as_of from metrics.target_gap "
            "where indicator_id = 'bus_clean_share'"
        ).fetchall() == [("met", 0.92, 0, dt.date(2026, 1, 15))]
