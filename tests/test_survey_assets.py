"""survey_analytics on a tiny two-wave warehouse: raw.survey_* rows written as ingest writes them.

Towns 320585100 and 320585101 are the strata; household h3 of 2023 made no trip. Expected point
values are recomputed here in plain SQL over the raw tables, independently of the estimator.
"""

from pathlib import Path

import duckdb
import pytest

from assets.reference.assets import reference_tables
from assets.reference.code_tables import read_code_table
from assets.surveys.analytics_assets import EXTERNAL_COLUMNS, TAICANG, TYPES, survey_analytics
from assets.surveys.assets import raw_surveys
from pipelines import project
from pipelines.warehouse import declarations, replace_table
from tests.conftest import materialise

T1, T2 = "320585100", "320585101"
HOUSEHOLDS = [  # wave_id, hh_id, town_code, hh_weight
    ("2023", "h1", T1, 100.0),
    ("2023", "h2", T1, 120.0),
    ("2023", "h3", T1, 80.0),
    ("2023", "h4", T2, 150.0),
    ("2023", "h5", T2, 90.0),
    ("2024", "k1", T1, 110.0),
    ("2024", "k2", T1, 95.0),
    ("2024", "k3", T2, 130.0),
    ("2024", "k4", T2, 105.0),
]
PERSONS = [  # wave_id, hh_id, person_no, age, sex, person_weight
    ("2023", "h1", 1, 35, 1, 100.0),
    ("2023", "h1", 2, 8, 2, 110.0),
    ("2023", "h2", 1, 62, 2, 120.0),
    ("2023", "h3", 1, 45, 1, 80.0),
    ("2023", "h4", 1, 28, 1, 150.0),
    ("2023", "h4", 2, 30, 2, 150.0),
    ("2023", "h5", 1, 17, 2, 90.0),
    ("2024", "k1", 1, 40, 1, 110.0),
    ("2024", "k2", 1, 70, 2, 95.0),
    ("2024", "k3", 1, 22, 1, 130.0),
    ("2024", "k4", 1, 51, 2, 105.0),
]
TRIPS = [  # wave_id, hh_id, person_no, trip_no, purpose, main_mode, distance_km, trip_weight
    ("2023", "h1", 1, 1, 1, 4, 5.2, 101.5),
    ("2023", "h1", 1, 2, 9, 4, 5.2, 101.5),
    ("2023", "h1", 2, 1, 2, 1, 0.6, 110.0),
    ("2023", "h2", 1, 1, 4, 3, 2.0, 120.25),
    ("2023", "h2", 1, 2, 9, 3, 2.0, 120.25),
    ("2023", "h4", 1, 1, 1, 8, 12.0, 150.0),
    ("2023", "h4", 1, 2, 9, 8, 12.0, 150.0),
    ("2023", "h4", 2, 1, 1, 5, 15.0, 150.0),
    ("2023", "h5", 1, 1, 2, 2, 3.5, 90.0),
    ("2024", "k1", 1, 1, 1, 4, 6.0, 110.0),
    ("2024", "k1", 1, 2, 9, 4, 6.0, 110.0),
    ("2024", "k2", 1, 1, 7, 9, 8.0, 95.0),
    ("2024", "k2", 1, 2, 9, 3, 8.0, 95.0),
    ("2024", "k3", 1, 1, 1, 5, 20.0, 130.0),
    ("2024", "k3", 1, 2, 9, 5, 20.0, 130.0),
    ("2024", "k4", 1, 1, 4, 1, None, 105.0),
]
RAW = {
    "survey_households": "wave_id varchar, hh_id varchar, town_code varchar, hh_weight double",
    "survey_persons": "wave_id varchar, hh_id varchar, person_no integer, age integer, "
    "sex integer, person_weight double",
    "survey_trips": "wave_id varchar, hh_id varchar, person_no integer, trip_no integer, "
    "purpose integer, main_mode integer, distance_km double, trip_weight double",
}
SHARES = ["value", "ci_low", "ci_high", "sample_size"]


def write_warehouse(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        for name in ("travel_mode", "town", "trip_purpose"):
            replace_table(con, f"reference.{name}", read_code_table(project.REFERENCE_DIR, name))
        con.execute("create schema raw")
        for (table, columns), rows in zip(RAW.items(), (HOUSEHOLDS, PERSONS, TRIPS), strict=True):
            con.execute(f"create table raw.{table} ({columns})")
            marks = ", ".join("?" for _ in rows[0])
            con.executemany(f"insert into raw.{table} values ({marks})", rows)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    database = tmp_path_factory.mktemp("survey") / "warehouse.duckdb"
    write_warehouse(database)
    con = materialise([survey_analytics], database)
    yield con
    con.close()


def plain_sums(con, wave: str, numerator: str, denominator: str = "true") -> tuple:
    """Σ trip_weight over qualifying trips and over the denominator, in plain SQL, as exact
    decimals the way the SQL models sum them (decimal(38, 10)), then as doubles."""
    weight = "cast(trip_weight as decimal(38, 10))"
    sql = (
        f"select cast(sum({weight}) filter (where {{n}}) as double), "
        f"cast(sum({weight}) filter (where {{d}}) as double) "
        "from raw.survey_trips where wave_id = ?"
    )
    return con.execute(sql.format(n=numerator, d=denominator), [wave]).fetchone()


def plain_share(con, wave: str, numerator: str, denominator: str = "true") -> float:
    top, bottom = plain_sums(con, wave, numerator, denominator)
    return top / bottom


@pytest.mark.parametrize(
    ("indicator_id", "numerator", "denominator"),
    [
        ("transit_mode_share", "main_mode in (4, 5)", "true"),
        ("transit_motorised_share", "main_mode in (4, 5)", "main_mode between 4 and 11"),
        ("green_travel_share", "main_mode in (1, 2, 3, 4, 5)", "true"),
        ("green_travel_share_excl_ebike", "main_mode in (1, 2, 4, 5)", "true"),
    ],
)
@pytest.mark.parametrize("wave", ["2023", "2024"])
def test_indicator_value_is_the_plain_weighted_share(
    warehouse, indicator_id, numerator, denominator, wave
):
    row = warehouse.execute(
        "select numerator, denominator, value from metrics.survey_share_estimates "
        "where indicator_id = ? and period = ?",
        [indicator_id, wave],
    ).fetchone()
    top, bottom = plain_sums(warehouse, wave, numerator, denominator)
    assert row == (top, bottom, top / bottom)  # exactly, not approximately


def test_indicator_rows_carry_period_end_and_sample_size(warehouse):
    rows = warehouse.execute(
        "select period, period_end, sample_size from metrics.survey_share_estimates "
        "where indicator_id = 'transit_motorised_share' order by period"
    ).fetchall()
    assert [(p, str(e), n) for p, e, n in rows] == [
        ("2023", "2023-12-31", 5),  # motorised trips: 4, 4, 8, 8, 5
        ("2024", "2024-12-31", 5),  # 4, 4, 9, 5, 5
    ]


@pytest.mark.parametrize(
    "table",
    [
        "metrics.survey_share_estimates",
        "marts.fct_survey_mode_split",
        "marts.fct_survey_breakdowns",
    ],
)
def test_every_estimate_lies_inside_its_interval(warehouse, table):
    value = "share" if table.endswith("mode_split") else "value"
    bad = warehouse.execute(
        f"select count(*) from {table} where not (ci_low <= {value} and {value} <= ci_high) "
        "or ci_low is null or sample_size is null or sample_size < 1"
    ).fetchone()[0]
    assert bad == 0


TAICANG_TABLES = [
    "metrics.survey_share_estimates",
    "marts.fct_survey_mode_split",
    "marts.fct_survey_breakdowns",
    "marts.fct_survey_share_change",
]


def test_the_taicang_tables_are_those_declared_built_by_the_module():
    assert sorted(TAICANG) == sorted(TAICANG_TABLES)


@pytest.mark.parametrize("table", TAICANG_TABLES)
def test_table_holds_its_declared_columns_in_their_order(warehouse, table):
    columns = [row[0] for row in warehouse.execute(f"describe {table}").fetchall()]
    assert columns == list(declarations()[table].column_docs)


def test_every_declared_column_has_a_type_and_every_type_a_column():
    declared = {column for table in TAICANG.values() for column in table.column_docs}
    external = {column for columns in EXTERNAL_COLUMNS.values() for column in columns.split()}
    assert sorted(declared - set(TYPES)) == []  # declared, but shape() cannot type it
    assert sorted(set(TYPES) - declared - external) == []  # typed, but no table has it


def test_asset_descriptions_are_the_declarations():
    descriptions = {
        ".".join(key.path): text for key, text in survey_analytics.descriptions_by_key.items()
    }
    assert descriptions == {name: table.description for name, table in TAICANG.items()}


def test_mode_split_has_all_twelve_modes_per_wave(warehouse):
    rows = warehouse.execute(
        "select wave_id, count(*), sum(share) from marts.fct_survey_mode_split group by wave_id"
    ).fetchall()
    assert [(w, n) for w, n, _ in sorted(rows)] == [("2023", 12), ("2024", 12)]
    assert all(total == pytest.approx(1.0) for _, _, total in rows)


def test_small_domains_are_thin(warehouse):
    rows = warehouse.execute(
        "select distinct thin from marts.fct_survey_breakdowns where sample_size < 30"
    ).fetchall()
    assert rows == [(True,)]


def test_breakdown_by_town_uses_the_household_town(warehouse):
    (value, label) = warehouse.execute(
        "select value, label_zh from marts.fct_survey_breakdowns where wave_id = '2023' "
        "and dimension = 'town' and category = ? and measure = 'transit_mode_share'",
        [T2],
    ).fetchone()
    assert label == "沙溪镇"
    assert value == pytest.approx(150.0 / (150.0 * 3 + 90.0))


def test_trip_rate_is_weighted_trips_per_weighted_person(warehouse):
    (value, persons) = warehouse.execute(
        "select value, sample_size from marts.fct_survey_breakdowns where wave_id = '2023' "
        "and measure = 'trip_rate' and dimension = 'all'"
    ).fetchone()
    trips = sum(t[-1] for t in TRIPS if t[0] == "2023")
    people = sum(p[-1] for p in PERSONS if p[0] == "2023")
    assert (value, persons) == (pytest.approx(trips / people), 7)


def test_unknown_distance_has_its_own_band(warehouse):
    (sample_size,) = warehouse.execute(
        "select sample_size from marts.fct_survey_breakdowns where wave_id = '2024' "
        "and dimension = 'distance_band' and category = 'unknown' "
        "and measure = 'green_travel_share'"
    ).fetchone()
    assert sample_size == 1


def test_change_is_reported_between_the_two_waves(warehouse):
    rows = warehouse.execute(
        "select measure, from_period, to_period, difference from marts.fct_survey_share_change "
        "where measure = 'transit_mode_share'"
    ).fetchall()
    before = plain_share(warehouse, "2023", "main_mode in (4, 5)")
    after = plain_share(warehouse, "2024", "main_mode in (4, 5)")
    assert [(m, f, t) for m, f, t, _ in rows] == [("transit_mode_share", "2023", "2024")]
    assert rows[0][3] == pytest.approx(after - before)


def test_empty_survey_tables_give_empty_outputs(tmp_path):
    database = tmp_path / "empty.duckdb"
    with duckdb.connect(str(database)) as con:
        for name in ("travel_mode", "town", "trip_purpose"):
            replace_table(con, f"reference.{name}", read_code_table(project.REFERENCE_DIR, name))
        con.execute("create schema raw")
        for table, columns in RAW.items():
            con.execute(f"create table raw.{table} ({columns})")
    with materialise([survey_analytics], database) as con:
        counts = con.execute(
            "select count(*) from metrics.survey_share_estimates union all "
            "select count(*) from marts.fct_survey_share_change"
        ).fetchall()
    assert counts == [(0,), (0,)]


def test_an_ingested_wave_flows_through_the_taicang_mapping(workspace):
    """From CSV files through ingest (pseudonymised ids, typed raw tables) to the estimates."""
    folder = workspace / "data_raw" / "surveys" / "2024"
    folder.mkdir(parents=True)
    (folder / "households.csv").write_text(
        "hh_id,town_code,hh_size,cars,ebikes,hh_weight\n"
        "H1,320585100,2,1,1,120.5\nH2,320585100,1,0,0,80\nH3,320585101,1,0,1,95\n"
        "H4,320585101,1,1,0,60\n",
        encoding="utf-8",
    )
    (folder / "persons.csv").write_text(
        "hh_id,person_no,age,sex,occupation,person_weight\n"
        "H1,1,40,1,worker,150\nH2,1,70,2,retired,90\nH3,1,33,2,worker,95\nH4,1,50,1,worker,60\n",
        encoding="utf-8",
    )
    (folder / "trips.csv").write_text(
        "hh_id,person_no,trip_no,depart_time,arrive_time,origin_town,dest_town,purpose,"
        "main_mode,distance_km,trip_weight\n"
        "H1,1,1,07:00,07:30,320585100,320585100,1,4,6,150\n"
        "H1,1,2,17:00,17:30,320585100,320585100,9,4,6,150\n"
        "H2,1,1,09:00,09:20,320585100,320585100,4,1,1,90\n"
        "H3,1,1,08:00,08:40,320585101,320585100,1,8,15,95\n",
        encoding="utf-8",
    )
    with materialise(
        [reference_tables, raw_surveys, survey_analytics], workspace / "w.duckdb"
    ) as con:
        row = con.execute(
            "select value, sample_size, design_df from metrics.survey_share_estimates "
            "where indicator_id = 'transit_mode_share'"
        ).fetchone()
    assert row == (pytest.approx(300 / 485), 4, 4 - 2)
