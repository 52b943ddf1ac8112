"""`greentrack status`: the target-gap table of the published warehouse, read-only."""

from __future__ import annotations

import sys

import duckdb

from pipelines import project
from pipelines.run_summary import gap_table, source_summary


def print_status(out=None, err=None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    path = project.published_warehouse_path()
    if not path.exists():
        print(
            f"greentrack status: no published warehouse at {path}; run `greentrack run`.", file=err
        )
        return 1
    with duckdb.connect(str(path), read_only=True) as con:
        print(f"Warehouse {path}\n", file=out)
        print("Target gap\n" + gap_table(con), file=out)
        print("\nSources\n" + source_summary(con), file=out)
    return 0
