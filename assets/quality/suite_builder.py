"""Suites are data: read `suites/<schema>.<table>.yaml` and build GX 1.x ExpectationSuites.

One builder for every expectation type: the YAML names the GX type (`type`), its `kwargs`,
a `severity` (ERROR blocks publication, WARN is reported) and, where a small rate of bad rows
is normal, `mostly`. Two shorthands keep the files short: `columns:` (schema: each column
exists with that type; a raw table that ingest writes takes it from assets/ingest/raw_tables.yaml
instead) and `columns: [...]` on an expectation (one expectation per column).
Code sets are never listed in code: `value_set_from: reference.usage.code` reads the set from
the warehouse when the suite runs, `letters_from:` turns a code table into a letters regex.
Rules GX cannot state on one frame (joins across tables) are `unexpected_rows:` queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assets.ingest.raw_tables import suite_columns

SUITES_DIR = Path(__file__).parent / "suites"
# libyaml's loader, where PyYAML was built with it: the suites are read several times a run,
# and the C loader gives the same documents
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SEVERITIES = ("ERROR", "WARN")
GX_SEVERITY = {"ERROR": "critical", "WARN": "warning"}
# `columns:` types, as GX reports the Python type of Arrow-backed pandas columns.
TYPE_NAMES = {
    "varchar": "str",
    "integer": "int",
    "bigint": "int",
    "double": "float",
    "decimal": "Decimal",
    "date": "date",
    "boolean": "bool",
    "timestamp": "Timestamp",
}
COLUMN_KWARGS = ("column", "column_A", "column_B")


class SuiteSpecError(ValueError):
    """A suite file that cannot be built (unknown type, bad severity, missing key)."""


@dataclass(frozen=True)
class ExpectationSpec:
    type: str
    kwargs: dict
    severity: str
    why: str = ""

    @property
    def columns(self) -> list[str]:
        named = [self.kwargs[k] for k in COLUMN_KWARGS if k in self.kwargs]
        return named + list(self.kwargs.get("column_list", []))

    @property
    def label(self) -> str:
        return ", ".join(self.columns) or "(table)"


@dataclass(frozen=True)
class UnexpectedRowsSpec:
    """A query returning the rows that break a rule; the rule holds when it returns none."""

    name: str
    sql: str
    severity: str
    column: str = ""
    why: str = ""


@dataclass(frozen=True)
class SuiteSpec:
    name: str  # schema.table
    asset_key: tuple[str, ...]
    description: str
    expectations: list[ExpectationSpec] = field(default_factory=list)
    unexpected_rows: list[UnexpectedRowsSpec] = field(default_factory=list)
    identifiers: tuple[str, ...] = ()  # columns whose samples are masked unless pseudonyms

    @property
    def columns(self) -> list[str]:
        """Every column the suite reads from its table, in first-use order."""
        seen: dict[str, None] = {}
        for expectation in self.expectations:
            for column in expectation.columns:
                seen.setdefault(column, None)
        return list(seen)

    @property
    def severities(self) -> set[str]:
        return {e.severity for e in self.expectations} | {u.severity for u in self.unexpected_rows}


def _severity(entry: dict, where: str) -> str:
    severity = str(entry.get("severity", "ERROR")).upper()
    if severity not in SEVERITIES:
        raise SuiteSpecError(f"{where}: severity must be ERROR or WARN, got {severity!r}")
    return severity


def _expectations(entry: dict, where: str) -> list[ExpectationSpec]:
    type_ = entry.get("type")
    if not isinstance(type_, str) or not type_.startswith("expect_"):
        raise SuiteSpecError(f"{where}: `type` must name a GX expectation, got {type_!r}")
    kwargs = dict(entry.get("kwargs") or {})
    if "mostly" in entry:
        kwargs["mostly"] = float(entry["mostly"])
    if "column" in entry:
        kwargs["column"] = entry["column"]
    severity, why = _severity(entry, where), str(entry.get("why", "")).strip()
    columns = entry.get("columns")
    if not columns:
        return [ExpectationSpec(type_, kwargs, severity, why)]
    return [ExpectationSpec(type_, {**kwargs, "column": c}, severity, why) for c in columns]


def _schema(columns: dict, where: str) -> list[ExpectationSpec]:
    out = []
    for column, type_name in columns.items():
        if type_name not in TYPE_NAMES:
            raise SuiteSpecError(f"{where}: column {column}: unknown type {type_name!r}")
        out.append(ExpectationSpec("expect_column_to_exist", {"column": column}, "ERROR"))
        out.append(
            ExpectationSpec(
                "expect_column_values_to_be_of_type",
                {"column": column, "type_": TYPE_NAMES[type_name]},
                "ERROR",
                f"schema: {column} is {type_name}",
            )
        )
    return out


def offline_kwargs(kwargs: dict) -> dict:
    """Kwargs with the warehouse look-ups replaced by placeholders, to build without DuckDB."""
    resolved = {k: v for k, v in kwargs.items() if k not in ("value_set_extra", "value_type")}
    if resolved.pop("value_set_from", None):
        resolved["value_set"] = ["(from reference)"]
    if resolved.pop("letters_from", None):
        resolved["regex"] = "^[A-Z]+$"
    return resolved


def build_errors(spec: SuiteSpec) -> list[str]:
    """Build every expectation of a suite offline; the errors (unknown type, bad kwargs).

    Loading a suite does not import GX (it takes seconds, and the code location loads the
    suites); the test suite calls this for every file instead.
    """
    errors = []
    for expectation in spec.expectations:
        try:
            build_expectation(expectation, offline_kwargs(expectation.kwargs), 0)
        except Exception as error:
            first = str(error).replace("\n", " ")[:300]
            errors.append(f"{spec.name}: {expectation.type} {expectation.kwargs}: {first}")
    return errors


def parse_suite(document: dict, where: str) -> SuiteSpec:
    name = document.get("suite")
    if not name or name.count(".") != 1:
        raise SuiteSpecError(f"{where}: `suite` must be schema.table, got {name!r}")
    defined = suite_columns(name)
    if defined and document.get("columns"):
        raise SuiteSpecError(f"{where}: the columns of {name} are defined in raw_tables.yaml")
    expectations = _schema(defined or document.get("columns") or {}, where)
    for index, entry in enumerate(document.get("expectations") or []):
        expectations.extend(_expectations(entry, f"{where} expectation {index + 1}"))
    rows = [
        UnexpectedRowsSpec(
            name=entry["name"],
            sql=entry["sql"].strip(),
            severity=_severity(entry, f"{where} {entry['name']}"),
            column=entry.get("column", ""),
            why=str(entry.get("why", "")).strip(),
        )
        for entry in document.get("unexpected_rows") or []
    ]
    return SuiteSpec(
        name=name,
        asset_key=tuple(document.get("asset") or name.split(".")),
        description=str(document.get("description", "")).strip(),
        expectations=expectations,
        unexpected_rows=rows,
        identifiers=tuple(document.get("identifiers") or ()),
    )


def load_suite_specs(directory: Path = SUITES_DIR) -> list[SuiteSpec]:
    """Every suite file, in name order; the file name must be the suite name."""
    specs = []
    for path in sorted(directory.glob("*.yaml")):
        spec = parse_suite(yaml.load(path.read_text(encoding="utf-8"), _LOADER), path.name)
        if path.stem != spec.name:
            raise SuiteSpecError(f"{path.name}: file must be named {spec.name}.yaml")
        specs.append(spec)
    return specs


def build_expectation(spec: ExpectationSpec, kwargs: dict, index: int):
    """One GX expectation from a spec whose kwargs were resolved against the warehouse.

    `index` goes into `meta` so results (which GX may reorder) map back to their spec.
    """
    from assets.quality import gx_adapter  # GX loads on first use, not when suites are read

    return gx_adapter.expectation(
        spec.type,
        kwargs,
        severity=GX_SEVERITY[spec.severity],
        meta={"index": index, "severity": spec.severity, "why": spec.why},
    )
