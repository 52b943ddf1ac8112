"""Where things live. Every path can be overridden by an environment variable (docs/interface.md).

Paths are resolved when asked for, never at import time, so tests and the CLI can point a
run at temporary directories by setting the variables (or passing flags) before the run.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = REPO_ROOT / "reference"
SQL_DIR = REPO_ROOT / "dbt_like_sql"

WAREHOUSE_FILE_NAME = "green_transport.duckdb"
WORK_FILE_NAME = "green_transport.duckdb.work"

# DuckDB's own default is 80 % of the machine's memory, and it keeps what it used: at demo
# scale 10 one model (marts.dim_vehicle) held 3.3 GB; limited to 2 GB the same query takes the same
# time (DuckDB streams and spills to `<work file>.tmp/` beside the warehouse when it must).
DEFAULT_DUCKDB_MEMORY_LIMIT = "2GB"
_MEMORY_SIZE = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)

# The plausibility gate's default: a new version may hold at most 20 % fewer records than the
# previous accepted one (docs/sources.md).
DEFAULT_MAX_ROW_DROP = 0.20

# Zip archives (GTFS feeds, xlsx workbooks) are checked against these before extraction
# (assets/ingest/archives.py). A demo feed inflates to 8 MB at scale 1 and 82 MB at scale 10
# (ratio 6, its most compressible member 17); a provincial feed (scale 100, 12–13 M
# stop_times) to ~0.8 GB. 4 GiB leaves five times that; real feeds' members compress at most
# 27-fold (NYC subway trips.txt), so a ratio above 100 is a bomb, not a timetable.
DEFAULT_MAX_ARCHIVE_BYTES = 4 * 1024**3
DEFAULT_MAX_COMPRESSION_RATIO = 100.0
MAX_ARCHIVE_MEMBERS = 10_000

# Demo key: stable so that demo runs are reproducible, loud when used (see pseudonym.py).
DEMO_PSEUDONYM_KEY = "greentrack-demo-key-not-for-production"


def _path_from_env(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    return Path(value).expanduser().resolve() if value else default.resolve()


def data_raw_dir() -> Path:
    return _path_from_env("GREENTRACK_DATA_RAW", REPO_ROOT / "data_raw")


def warehouse_dir() -> Path:
    return _path_from_env("GREENTRACK_WAREHOUSE_DIR", REPO_ROOT / "warehouse")


def dashboards_dir() -> Path:
    return _path_from_env("GREENTRACK_DASHBOARDS_DIR", REPO_ROOT / "dashboards" / "site")


def cache_dir() -> Path:
    """Files derived from installed packages alone, kept between runs (the dashboard's Vega
    bundle): GREENTRACK_CACHE_DIR, else $XDG_CACHE_HOME/greentrack, else ~/.cache/greentrack.
    Per machine, not per warehouse, so a new warehouse directory starts warm."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    default = Path(xdg) / "greentrack" if xdg else Path.home() / ".cache" / "greentrack"
    return _path_from_env("GREENTRACK_CACHE_DIR", default)


def published_warehouse_path() -> Path:
    """The file analysts open read-only; only ever replaced by atomic rename."""
    return warehouse_dir() / WAREHOUSE_FILE_NAME


def work_warehouse_path() -> Path:
    """The file a run builds into; lives beside the published file so rename is atomic."""
    return warehouse_dir() / WORK_FILE_NAME


def duckdb_memory_limit() -> str:
    """The warehouse connections' DuckDB memory limit (GREENTRACK_DUCKDB_MEMORY_LIMIT, e.g.
    `4GB`). A value DuckDB would refuse falls back to the default with a warning, rather
    than failing the nightly run over a tuning knob."""
    value = os.environ.get("GREENTRACK_DUCKDB_MEMORY_LIMIT")
    if not value:
        return DEFAULT_DUCKDB_MEMORY_LIMIT
    if not _MEMORY_SIZE.match(value):
        logging.getLogger(__name__).warning(
            "GREENTRACK_DUCKDB_MEMORY_LIMIT=%r is not a size such as 4GB or 512MB; using %s",
            value,
            DEFAULT_DUCKDB_MEMORY_LIMIT,
        )
        return DEFAULT_DUCKDB_MEMORY_LIMIT
    return value.strip()


TRUE_WORDS = {"1", "true", "yes", "on"}


def full_rebuild(run_tags: Mapping[str, str] | None = None) -> bool:
    """Ingest every file again instead of carrying forward the file versions already ingested
    (assets/ingest/version_store.py), and build every SQL model and the dashboard instead of
    keeping those whose inputs did not change (assets/warehouse/fingerprints.py). Asked by
    the run's tag `greentrack/full` (what `greentrack run --full` sets, and what a run
    launched from the UI can carry) or, for every run a process starts, GREENTRACK_FULL=1."""
    tagged = (run_tags or {}).get("greentrack/full", "")
    return any(
        value.strip().lower() in TRUE_WORDS
        for value in (tagged, os.environ.get("GREENTRACK_FULL", ""))
    )


def max_row_drop() -> float:
    """The share of records a new version of a source may lose against the previous accepted
    one before the plausibility gate rejects it (GREENTRACK_MAX_ROW_DROP, default 0.20). A
    value outside [0, 1) falls back to the default with a warning."""
    value = os.environ.get("GREENTRACK_MAX_ROW_DROP")
    if not value:
        return DEFAULT_MAX_ROW_DROP
    try:
        share = float(value)
    except ValueError:
        share = -1.0
    if not 0 <= share < 1:
        logging.getLogger(__name__).warning(
            "GREENTRACK_MAX_ROW_DROP=%r is not a share in [0, 1) such as 0.2; using %s",
            value,
            DEFAULT_MAX_ROW_DROP,
        )
        return DEFAULT_MAX_ROW_DROP
    return share


def archive_limits():
    """Limits for zip archives (GREENTRACK_MAX_ARCHIVE_BYTES, a byte count such as
    4294967296 or a size such as 4GB; GREENTRACK_MAX_COMPRESSION_RATIO, a number > 1). A
    value that is not one falls back to the default with a warning."""
    from assets.ingest.archives import ArchiveLimits

    return ArchiveLimits(
        max_bytes=_env_number(
            "GREENTRACK_MAX_ARCHIVE_BYTES", DEFAULT_MAX_ARCHIVE_BYTES, _byte_count
        ),
        max_ratio=_env_number(
            "GREENTRACK_MAX_COMPRESSION_RATIO", DEFAULT_MAX_COMPRESSION_RATIO, _ratio
        ),
        max_members=MAX_ARCHIVE_MEMBERS,
    )


_UNITS = {"": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4}
_UNITS |= {"kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4}
_BYTE_COUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


def _byte_count(text: str) -> int | None:
    match = _BYTE_COUNT.match(text)
    unit = _UNITS.get(match.group(2).lower()) if match else None
    if unit is None:
        return None
    value = int(float(match.group(1)) * unit)
    return value if value > 0 else None


def _ratio(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value > 1 and value != float("inf") else None


def _env_number(var: str, default, parse):
    value = os.environ.get(var)
    if not value:
        return default
    parsed = parse(value)
    if parsed is None:
        logging.getLogger(__name__).warning(
            "%s=%r is not a valid limit; using %s", var, value, default
        )
        return default
    return parsed


def pseudonym_key() -> tuple[bytes, bool]:
    """The HMAC key and whether it is the demo key (callers warn loudly when it is)."""
    value = os.environ.get("GREENTRACK_PSEUDONYM_KEY")
    if value:
        return value.encode("utf-8"), False
    return DEMO_PSEUDONYM_KEY.encode("utf-8"), True
