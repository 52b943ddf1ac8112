"""Which asset writes which warehouse table, learnt from the assets themselves.

Every warehouse asset is keyed by its table (`["marts", "dim_gtfs_feed_version"]` writes
marts.dim_gtfs_feed_version), so the asset of a table's key is its writer. An asset that writes
tables beside its own declares them in its spec's metadata under ALSO_WRITES: every source's
ingest writes the ledgers audit.source_files and quality.quarantine beside raw.*, so a model
reading a ledger depends on every ingest asset. No list of tables is kept by hand.
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg

ALSO_WRITES = "greentrack/also_writes"


def also_writes(*tables: str) -> dict[str, list[str]]:
    """Spec metadata declaring schema-qualified tables an asset writes beside its key's table."""
    return {ALSO_WRITES: list(tables)}


def table_name(key: dg.AssetKey) -> str | None:
    """schema.table of a warehouse asset key; None for keys that are not tables."""
    return ".".join(key.path) if len(key.path) == 2 else None


def _declared(spec: dg.AssetSpec) -> list[str]:
    value = (spec.metadata or {}).get(ALSO_WRITES, [])
    return list(getattr(value, "value", value))


def table_writers(assets: Iterable[dg.AssetsDefinition]) -> dict[str, tuple[dg.AssetKey, ...]]:
    """table → the asset keys a reader of it depends on.

    A table declared by several specs of one multi-asset needs one of its keys only: the op
    writes the table once, whichever of its assets is waited for."""
    writers: dict[str, list[dg.AssetKey]] = {}
    for asset in assets:
        declared_here: set[str] = set()
        for spec in asset.specs:
            own = table_name(spec.key)
            if own is not None:
                writers.setdefault(own, []).append(spec.key)
            for table in _declared(spec):
                if table not in declared_here:
                    declared_here.add(table)
                    writers.setdefault(table, []).append(spec.key)
    return {table: tuple(keys) for table, keys in writers.items()}
