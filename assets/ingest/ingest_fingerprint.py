"""What an ingested file version depends on besides its bytes: the ingest fingerprint.

A file version's outcome (loaded rows, quarantine, audit line) is carried from night to night
(`version_store`) only while everything that produced it is unchanged:
- the ingest code: every module of `assets/ingest/` and the source's own modules (its format
  and row rules);
- the code tables its rules read (`reference/<table>.csv`);
- the pseudonym key, by its fingerprint (`assets.publish.key_fingerprint`).
Each is hashed separately, so that when a source must be ingested again the run can say which
of them changed. Sources list only what they read, so an edit re-ingests exactly the sources
it affects: a new fuel code touches registrations, not the fleet ledgers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from assets.publish.key_fingerprint import key_fingerprint
from pipelines import project

INGEST_DIR = Path("assets/ingest")
KEY_COMPONENT = "pseudonym key"


@dataclass(frozen=True)
class SourceInputs:
    """The modules and code tables one source's ingest reads, relative to the repository."""

    modules: tuple[str, ...]
    code_tables: tuple[str, ...]


SOURCE_INPUTS = {
    "registrations": SourceInputs(
        ("assets/registrations/records.py", "assets/registrations/assets.py"),
        ("plate_type", "usage", "fuel", "vehicle_status", "vehicle_type"),
    ),
    "bus_fleet": SourceInputs(
        ("assets/fleets/bus_ledger.py", "assets/fleets/rules.py", "assets/fleets/assets.py"),
        ("powertrain",),
    ),
    "taxi_fleet": SourceInputs(
        ("assets/fleets/taxi_register.py", "assets/fleets/rules.py", "assets/fleets/assets.py"),
        ("powertrain", "town"),
    ),
    "surveys": SourceInputs(
        (
            "assets/surveys/records.py",
            "assets/surveys/waves.py",
            "assets/surveys/times.py",
            "assets/surveys/assets.py",
        ),
        ("town", "travel_mode", "trip_purpose"),
    ),
}


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return "missing"


def components(source: str, key: bytes, root: Path | None = None) -> dict[str, str]:
    """One digest per input of `source`'s ingest, named as an operator would look for it."""
    root = root or project.REPO_ROOT
    inputs = SOURCE_INPUTS[source]
    ingest_modules = sorted(p.relative_to(root) for p in (root / INGEST_DIR).glob("*.py"))
    modules = sorted({*map(str, ingest_modules), *inputs.modules})
    parts = {module: _file_digest(root / module) for module in modules}
    for table in inputs.code_tables:
        parts[f"reference/{table}.csv"] = _file_digest(root / "reference" / f"{table}.csv")
    parts[KEY_COMPONENT] = key_fingerprint(key)
    return parts


def digest(parts: dict[str, str]) -> str:
    """The fingerprint itself: 16 hex characters over every component, in name order."""
    text = "\n".join(f"{name}={value}" for name, value in sorted(parts.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def changed(previous: dict[str, str], current: dict[str, str]) -> list[str]:
    """Names of the components that differ (added, removed or edited), sorted."""
    return sorted(n for n in {*previous, *current} if previous.get(n) != current.get(n))
