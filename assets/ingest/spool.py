"""Rows of a sliced ingest, kept in Parquet files on disk until the source's tables are written.

A sliced ingest must not hold the file's rows in memory, yet nothing may reach the warehouse
before the whole file is judged (a file with more than 5 % bad rows is rejected as a whole).
So each slice's rows go to a Parquet part in the warehouse directory (the disk the operator
sized for the data; /tmp may be memory), and `store.write_outcomes` inserts them with DuckDB,
which streams Parquet into a table without loading it whole.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines import project

SPOOL_DIR_NAME = ".spool"


def spool_root() -> Path:
    """Where spooled rows live during a run; a crashed run's leftovers are removed at the
    next run's start (`assets.publish.atomic.remove_stale_work`)."""
    return project.warehouse_dir() / SPOOL_DIR_NAME


@dataclass
class SpooledFrame:
    """Rows written as Parquet parts: the stand-in for a DataFrame that would not fit."""

    schema: dict[str, pl.DataType] | None = None  # else that of the first part written
    directory: Path | None = None
    paths: list[Path] = field(default_factory=list)
    height: int = 0
    discarded: bool = False

    def append(self, frame: pl.DataFrame) -> None:
        if frame.height == 0:
            return
        if self.directory is None:
            spool_root().mkdir(parents=True, exist_ok=True)
            self.directory = Path(tempfile.mkdtemp(prefix="rows-", dir=spool_root()))
            self.schema = self.schema or dict(frame.schema)
        path = self.directory / f"part-{len(self.paths):05d}.parquet"
        frame.write_parquet(path, compression="lz4", statistics=False)
        self.paths.append(path)
        self.height += frame.height

    def discard(self) -> None:
        """Delete the parts (after they were written to the warehouse, or the file was
        rejected); safe to call twice. `height` still says how many rows there were."""
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
        self.directory, self.paths = None, []
        self.discarded = True

    def collect(self) -> pl.DataFrame:
        """The rows in memory (tests and small files only)."""
        if self.discarded:
            raise RuntimeError("the spooled rows were already written or discarded")
        if not self.paths:
            return pl.DataFrame(schema=self.schema or {})
        return pl.read_parquet(self.paths)
