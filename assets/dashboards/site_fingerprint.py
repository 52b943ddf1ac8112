"""Whether the published dashboard site was drawn from exactly this run's inputs.

Drawing the page costs a Vega run per chart (most of the dashboard step). The site depends on
the tables it reads and exports (every table of the model layers and reference.*, the source
ledger and the quality ledgers; a model table's hash is the one recorded when it was built),
the code that draws it (assets/dashboards/, assets/exports/, the page's views in
dbt_like_sql/dashboard/, the packages that render and write), the language and the CJK font.
Their fingerprint is written into the site (`data/inputs.sha256`); a run whose fingerprint
equals the published site's copies that site instead of drawing it again. The workbook's
freshness sheet is dated the day of the run (the only part of the site that depends on the
clock), so it is rewritten either way.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import shutil
from pathlib import Path

import duckdb

from assets.dashboards.fonts import find_cjk_font
from assets.warehouse.fingerprints import digest, table_fingerprint
from pipelines import project

FINGERPRINT_FILE = Path("data") / "inputs.sha256"
CODE_DIRS = ("assets/dashboards", "assets/exports", "dbt_like_sql/dashboard")
# every table of these schemas is fingerprinted: the model layers the page reads (a SQL
# model's rows hash is recorded when it is built, so none is hashed twice) and reference.*
TABLE_SCHEMAS = ("staging", "intermediate", "marts", "metrics", "reference")
LEDGER_TABLES = ("audit.source_files", "quality.quarantine", "quality.validation_results")
# The page and the workbook never show when a file was loaded; GTFS feeds, read every run,
# get a new loaded_at every night.
UNREAD_LEDGER_COLUMNS = ("loaded_at",)
PACKAGES = ("altair", "vl-convert-python", "xlsxwriter", "pyarrow", "polars", "duckdb")
LEFTOVERS = (".greentrack-incoming", ".greentrack-outgoing")  # assets/publish/atomic.py


def code_fingerprint(root: Path = project.REPO_ROOT) -> str:
    files = sorted(p for d in CODE_DIRS for p in (root / d).rglob("*") if p.is_file())
    files = [p for p in files if "__pycache__" not in p.parts]
    return digest({str(p.relative_to(root)): _file_sha(p) for p in files})


def _file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def site_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() "
        "where database_name = current_database() and schema_name in (select unnest(?)) "
        "order by 1",
        [list(TABLE_SCHEMAS)],
    ).fetchall()
    return [row[0] for row in rows] + list(LEDGER_TABLES)


def site_table_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    return {
        table: table_fingerprint(
            con, table, unread=UNREAD_LEDGER_COLUMNS if table in LEDGER_TABLES else ()
        )
        for table in site_tables(con)
    }


def site_fingerprint(con: duckdb.DuckDBPyConnection, language: str) -> str:
    font = find_cjk_font()
    return digest(
        {
            "code": code_fingerprint(),
            "packages": {name: _package_version(name) for name in PACKAGES},
            "language": language,
            "font": str(font.directory) if font else None,
            "tables": site_table_fingerprints(con),
        }
    )


def published_fingerprint(site: Path) -> str | None:
    """The fingerprint the published site was drawn from; None without a complete site."""
    path = site / FINGERPRINT_FILE
    if not (site / "index.html").is_file() or not path.is_file():
        return None
    return path.read_text(encoding="utf-8").strip()


def write_fingerprint(site_work: Path, fingerprint: str) -> None:
    path = site_work / FINGERPRINT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(fingerprint + "\n", encoding="utf-8")


def copy_published_site(site: Path, site_work: Path) -> None:
    """The published site as this run's site work directory (to be swapped in unchanged)."""
    if site_work.exists():
        shutil.rmtree(site_work)
    shutil.copytree(site, site_work, ignore=shutil.ignore_patterns(*LEFTOVERS))
