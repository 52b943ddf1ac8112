"""`greentrack generate` + `greentrack run` on a tiny Taicang: the A1/A2 "done when" promises.

Expected values are recomputed here straight from the generated source files with the rules of
docs/indicators.md (openpyxl for the ledger, csv for the surveys), never from the pipeline's code.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from pipelines import cli

pytestmark = pytest.mark.slow  # whole runs: `make test-slow` (CI runs it)

INTERFACE_GAP_COLUMNS = [
    "indicator_id",
    "name_zh",
    "name_en",
    "target_value",
    "deadline",
    "latest_period",
    "latest_value",
    "value_at_deadline",
    "gap_pp",
    "status",
    "projected_at_deadline",
    "units_to_close",
    "as_of",
]
INTERFACE_VALUE_COLUMNS = [
    "indicator_id",
    "period",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "sample_size",
    "ci_low",
    "ci_high",
]


def _generate_and_run(root: Path, defect_rate: float) -> tuple[Path, int]:
    data_raw = root / "data_raw"
    assert (
        cli.main(
            [
                "generate",
                "--out",
                str(data_raw),
                "--scale",
                "0.01",
                "--seed",
                "11",
                "--defect-rate",
                str(defect_rate),
            ]
        )
        == 0
    )
    code = cli.main(
        [
            "run",
            "--data-raw",
            str(data_raw),
            "--warehouse-dir",
            str(root / "warehouse"),
            "--dashboards-dir",
            str(root / "site"),
        ]
    )
    return data_raw, code


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory) -> tuple[Path, duckdb.DuckDBPyConnection, int]:
    root = tmp_path_factory.mktemp("e2e_clean")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GREENTRACK_PSEUDONYM_KEY", "e2e-key")
        data_raw, code = _generate_and_run(root, 0.0)
    con = duckdb.connect(str(root / "warehouse" / "green_transport.duckdb"), read_only=True)
    return data_raw, con, code


@pytest.fixture(scope="module")
def messy_run(tmp_path_factory) -> tuple[Path, duckdb.DuckDBPyConnection, int]:
    root = tmp_path_factory.mktemp("e2e_messy")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GREENTRACK_PSEUDONYM_KEY", "e2e-key")
        data_raw, code = _generate_and_run(root, 0.02)
    con = duckdb.connect(str(root / "warehouse" / "green_transport.duckdb"), read_only=True)
    return data_raw, con, code


def test_clean_sources_publish_with_exit_0_and_every_layer(clean_run):
    _, con, code = clean_run
    assert code == 0
    schemas = {
        row[0] for row in con.execute("select distinct schema_name from duckdb_tables()").fetchall()
    }
    assert {"raw", "reference", "staging", "marts", "metrics", "quality", "audit"} <= schemas


def test_every_file_balances_and_every_quarantine_row_is_located(messy_run):
    _, con, code = messy_run
    assert code in (0, 3)
    assert con.execute(
        "select count(*) from audit.source_files where is_current "
        "and rows_read <> rows_loaded + rows_quarantined"
    ).fetchone() == (0,)
    assert con.execute("select count(*) from quality.quarantine").fetchone()[0] > 0
    assert con.execute(
        "select count(*) from quality.quarantine where file_name is null "
        "or row_number is null or column_name is null or reason is null"
    ).fetchone() == (0,)


def _plates_and_vins(data_raw: Path) -> list[str]:
    values = set()
    for path in (data_raw / "registrations").glob("*.csv"):
        frame = pl.read_csv(path.read_bytes().decode("gb18030").encode(), infer_schema=False)
        for column in ("号牌号码", "车辆识别代号"):
            values.update(v.replace("·", "").replace(" ", "") for v in frame[column].drop_nulls())
    return sorted(v for v in values if len(v) >= 7)


def test_no_plaintext_plate_or_vin_in_any_column_of_any_table(messy_run):
    data_raw, con, _ = messy_run
    needles = _plates_and_vins(data_raw)
    assert len(needles) > 100
    columns = con.execute(
        "select database_name, schema_name, table_name, column_name from duckdb_columns() "
        "where data_type = 'VARCHAR' and not internal"
    ).fetchall()
    for _, schema, table, column in columns:
        values = con.execute(
            f'select distinct "{column}" from {schema}."{table}" where "{column}" is not null'
        ).fetchall()
        series = pl.Series([v[0] for v in values], dtype=pl.String)
        hits = series.filter(series.str.contains_any(needles))
        assert hits.len() == 0, f"plaintext identifier in {schema}.{table}.{column}: {hits[0]}"


def test_target_gap_has_one_row_per_target_with_every_interface_column(clean_run):
    _, con, _ = clean_run
    columns = [
        r[0]
        for r in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'metrics' "
            "and table_name = 'target_gap' order by column_index"
        ).fetchall()
    ]
    assert columns == INTERFACE_GAP_COLUMNS
    values = [
        r[0]
        for r in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'metrics' "
            "and table_name = 'indicator_values' order by column_index"
        ).fetchall()
    ]
    assert values == INTERFACE_VALUE_COLUMNS
    ids = sorted(
        r[0] for r in con.execute("select indicator_id from metrics.target_gap").fetchall()
    )
    assert ids == sorted(
        [
            "bus_clean_share",
            "urban_taxi_nev_share",
            "new_public_vehicle_ev_share",
            "transit_mode_share",
            "green_travel_share",
        ]
    )


def test_every_marts_and_metrics_table_and_column_is_commented(clean_run):
    _, con, _ = clean_run
    assert (
        con.execute(
            "select schema_name, table_name, column_name from duckdb_columns() "
            "where schema_name in ('marts', 'metrics') and coalesce(comment, '') = ''"
        ).fetchall()
        == []
    )
    assert (
        con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where schema_name in ('marts', 'metrics') and coalesce(comment, '') = ''"
        ).fetchall()
        == []
    )


def _cell_date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise AssertionError(f"unexpected date spelling {value!r}")


def test_bus_clean_share_recomputed_from_the_newest_ledger(clean_run):
    """docs/indicators.md: fleet(d) = in_service_on ≤ d and (retired_on blank or > d); numerator =
    new or clean energy, looked up in reference/powertrain.csv; the last month at as_of."""
    data_raw, con, _ = clean_run
    newest = sorted((data_raw / "bus_fleet").glob("bus_fleet_*.xlsx"))[-1]
    as_of = dt.datetime.strptime(newest.stem[-8:], "%Y%m%d").date()
    energy = {
        r["label_zh"]: r["energy_class"]
        for r in csv.DictReader(
            open(
                Path(__file__).resolve().parents[1] / "reference" / "powertrain.csv",
                encoding="utf-8",
            )
        )
    }
    sheet = openpyxl.load_workbook(newest, read_only=True)["车辆台账"]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h).strip() for h in rows[0]]
    buses = [dict(zip(header, row, strict=False)) for row in rows[1:] if any(row)]

    def share_on(day: dt.date) -> tuple[int, int]:
        fleet = [
            b
            for b in buses
            if _cell_date(b["投运日期"]) <= day
            and (_cell_date(b["报废日期"]) is None or _cell_date(b["报废日期"]) > day)
        ]
        clean = [
            b for b in fleet if energy[str(b["动力类型"]).strip()] in ("new_energy", "clean_energy")
        ]
        return len(clean), len(fleet)

    for period, day in (("2024-12", dt.date(2024, 12, 31)), (as_of.strftime("%Y-%m"), as_of)):
        numerator, denominator = share_on(day)
        published = con.execute(
            "select numerator, denominator, value, period_end from metrics.indicator_values "
            "where indicator_id = 'bus_clean_share' and period = ?",
            [period],
        ).fetchone()
        assert published == (numerator, denominator, numerator / denominator, day)


def test_transit_share_recomputed_from_the_survey_csv(clean_run):
    """Σ trip_weight of bus (4) and rail (5) trips / Σ trip_weight of all trips, per wave."""
    data_raw, con, _ = clean_run
    for wave in sorted(p.name for p in (data_raw / "surveys").iterdir()):
        with open(data_raw / "surveys" / wave / "trips.csv", encoding="utf-8-sig") as handle:
            trips = list(csv.DictReader(handle))
        total = sum(Decimal(t["trip_weight"]) for t in trips)
        transit = sum(Decimal(t["trip_weight"]) for t in trips if t["main_mode"] in ("4", "5"))
        published = con.execute(
            "select numerator, denominator, sample_size, ci_low, value, ci_high "
            "from metrics.indicator_values where indicator_id = 'transit_mode_share' "
            "and period = ?",
            [wave],
        ).fetchone()
        assert published[:3] == (float(transit), float(total), len(trips))
        assert published[3] <= published[4] <= published[5]


def test_status_prints_the_gap_table(clean_run, capsys):
    data_raw, _, _ = clean_run
    warehouse = data_raw.parent / "warehouse"
    # exit 5: the demo sources are dated 2025-10-31, more than the 45 days monthly sources
    # may age, so they are stale on any day after 2025-12-15
    assert cli.main(["status", "--warehouse-dir", str(warehouse)]) == 5
    out = capsys.readouterr().out
    assert "bus_clean_share" in out and "green_travel_share" in out


def test_the_dashboard_is_published_beside_the_warehouse(clean_run):
    data_raw, _, _ = clean_run
    index = data_raw.parent / "site" / "index.html"
    assert index.exists() and "bus_clean_share" in index.read_text(encoding="utf-8")


def test_the_readme_example_queries_run_on_the_published_file(clean_run, capsys):
    data_raw, _, _ = clean_run
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("## For analysts", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    published = data_raw.parent / "warehouse" / "green_transport.duckdb"
    code = block.replace('"warehouse/green_transport.duckdb"', repr(str(published)))
    exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - the README's own snippet
    out = capsys.readouterr().out
    assert "bus_clean_share" in out  # queries 1 and 2
    assert "reason" in out  # query 3 (quarantine by reason)


def _venv_with_duckdb(root: Path, version: str) -> Path | None:
    """A separate venv holding only duckdb==version (uv when `make venv` installed it, else
    venv + pip); None when it cannot be installed (no network, no wheel)."""
    import shutil
    import subprocess
    import sys

    venv = root / f"duckdb-{version}"
    python = venv / "bin" / "python"
    uv = Path(__file__).resolve().parents[1] / ".tools" / "bin" / "uv"
    base = shutil.which("python3.11") or sys.executable
    if uv.exists():
        commands = [
            [str(uv), "venv", "--quiet", "--python", base, str(venv)],
            [str(uv), "pip", "install", "--quiet", "--python", str(python), f"duckdb=={version}"],
        ]
    else:
        commands = [
            [base, "-m", "venv", str(venv)],
            [str(python), "-m", "pip", "install", "--quiet", f"duckdb=={version}"],
        ]
    for command in commands:
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if done.returncode != 0:
            return None
    return python


def test_duckdb_1_1_opens_the_published_file(clean_run, tmp_path_factory):
    """Analysts' clients bundle DuckDB 1.x; the published file must open there, read-only."""
    import subprocess

    data_raw, con, _ = clean_run
    published = data_raw.parent / "warehouse" / "green_transport.duckdb"
    python = _venv_with_duckdb(tmp_path_factory.mktemp("old_duckdb"), "1.1.3")
    if python is None:
        pytest.skip("duckdb==1.1.3 could not be installed in a separate venv (offline?)")
    script = (
        "import sys, duckdb\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print(duckdb.__version__)\n"
        "print(con.execute('select count(*) from metrics.target_gap').fetchall()[0][0])\n"
    )
    done = subprocess.run(
        [str(python), "-c", script, str(published)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    version, gap_rows = done.stdout.split()
    expected = con.execute("select count(*) from metrics.target_gap").fetchall()[0][0]
    assert version == "1.1.3" and int(gap_rows) == expected > 0


def test_every_table_and_analysts_column_reads_chinese_with_english(clean_run):
    data_raw, con, _ = clean_run
    cjk = re.compile(r"[\u4e00-\u9fff]")
    tables = con.execute(
        "select schema_name || '.' || table_name, comment from duckdb_tables() "
        "where database_name = current_database()"
    ).fetchall()
    assert [name for name, comment in tables if not cjk.search(comment)] == []
    columns = con.execute(
        "select schema_name || '.' || table_name || '.' || column_name, comment "
        "from duckdb_columns() where database_name = current_database() "
        "and schema_name in ('marts', 'metrics')"
    ).fetchall()
    assert [name for name, comment in columns if not cjk.search(comment)] == []
    assert [name for name, comment in columns if not re.search("[A-Za-z]", comment)] == []
    page = (data_raw.parent / "site" / "dictionary.html").read_text(encoding="utf-8")
    assert "<p>目标差距 How far each target" in page
    assert "<td>差距(百分点) (target − latest_value) × 100" in page


def test_every_column_of_every_schema_is_commented_and_in_the_dictionary(clean_run):
    data_raw, con, _ = clean_run
    columns = con.execute(
        "select schema_name, table_name, column_name, coalesce(comment, '') "
        "from duckdb_columns() where database_name = current_database()"
    ).fetchall()
    schemas = {schema for schema, _, _, _ in columns}
    assert {"raw", "reference", "audit", "quality", "marts", "metrics"} <= schemas
    assert [f"{s}.{t}.{c}" for s, t, c, comment in columns if not comment] == []
    tables = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() "
        "where database_name = current_database() and coalesce(comment, '') = ''"
    ).fetchall()
    assert tables == []
    page = (data_raw.parent / "site" / "dictionary.html").read_text(encoding="utf-8")
    for schema, table, column, _ in columns:
        assert f"id='{schema}.{table}'" in page and f"<code>{column}</code>" in page
