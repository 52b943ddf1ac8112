"""`greentrack export`: the workbook and Parquet files written by hand from the published
warehouse, opened read-only (the same files every publication puts in <dashboards-dir>/exports).

Exit 0 written; 1 no published warehouse, or one that cannot be read or written out (one line
says which, never a traceback).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import duckdb

from assets.exports.parquet_files import PARQUET_DIR_NAME, write_parquet_files
from assets.exports.workbook import WORKBOOK_NAME, write_workbook
from pipelines import project

EXIT_WRITTEN, EXIT_NOT_WRITTEN = 0, 1


def export_files(out: Path, xlsx: bool, parquet: bool, err=None) -> int:
    """Writes `out/green_transport.xlsx` and/or `out/parquet/*.parquet`; both when neither
    is asked for."""
    err = err or sys.stderr
    if not xlsx and not parquet:
        xlsx = parquet = True
    path = project.published_warehouse_path()
    if not path.is_file():
        print(f"greentrack export: no published warehouse at {path}; run `greentrack run`.",
              file=err)  # fmt: skip
        return EXIT_NOT_WRITTEN
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            if xlsx:
                written = write_workbook(con, out / WORKBOOK_NAME, dt.date.today())
                print(f"wrote {written}")
            if parquet:
                files = write_parquet_files(con, out / PARQUET_DIR_NAME)
                print(f"wrote {len(files)} Parquet files into {out / PARQUET_DIR_NAME}")
    except (duckdb.Error, OSError, ValueError, KeyError) as error:
        line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        print(f"greentrack export: cannot export from {path}: {line}", file=err)
        return EXIT_NOT_WRITTEN
    return EXIT_WRITTEN
