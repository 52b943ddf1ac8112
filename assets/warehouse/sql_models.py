"""Discover the SQL models in dbt_like_sql/ and work out what each one reads (pure, no DuckDB).

A model is one file `<layer>/<name>.sql` holding one `select`; its table is `<layer>.<name>`.
Its dependencies are the schema-qualified tables it reads, found by parsing with sqlglot
(dialect duckdb): CTE names are not dependencies. Its header comment (the leading `--` lines)
is the description; a `columns:` block in the header documents the columns:

    -- One line of what the model is.
    -- grain: one row per ...
    --   (a line indented by two more spaces continues the line above)
    -- key: ...
    -- why: ...
    -- columns:
    --   column_name: what it holds
    --     (a deeper-indented line continues the column's description)

Macros: `macros/<name>.sql` holds one `create or replace temp macro <name>(...) as ...`, a
scalar rule several models share (GTFS time text to seconds, great-circle km). A model that
calls a macro carries its text: the macro is created on the model's connection before the
model is built, and is part of the model's code version and fingerprint.
"""

from __future__ import annotations

import graphlib
import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import sqlglot
from sqlglot import exp

# build order of the layers; quality holds the checks analysts read (quality.reconciliation)
MODEL_SCHEMAS = ("staging", "intermediate", "marts", "metrics", "quality")
MACRO_DIR = "macros"
DOCUMENTED_SCHEMAS = ("marts", "metrics", "quality")  # every column must carry a comment


class SqlModelError(ValueError):
    """A model file that cannot be turned into an asset (bad SQL, reference, or cycle)."""


@dataclass(frozen=True)
class SqlModel:
    schema: str
    name: str
    path: Path
    sql: str
    description: str
    column_docs: dict[str, str] = field(default_factory=dict)
    reads: tuple[str, ...] = ()  # schema-qualified tables, sorted
    macros: tuple[str, ...] = ()  # `create macro` statements of the macros it calls, by name

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def code_version(self) -> str:
        code = "\n;\n".join((*self.macros, self.sql))
        return hashlib.sha256(code.encode("utf-8")).hexdigest()[:16]


def parse_header(sql: str) -> tuple[str, dict[str, str]]:
    """The leading comment as (description, {column: description})."""
    header: list[str] = []
    for line in sql.splitlines():
        stripped = line.strip()
        if not stripped.startswith("--"):
            break
        header.append(stripped[2:].removeprefix(" ").rstrip())
    split = header.index("columns:") if "columns:" in header else len(header)
    description: list[str] = []
    for line in header[:split]:
        if line.startswith("  ") and description:
            description[-1] = f"{description[-1]} {line.strip()}"
        else:
            description.append(line.strip())
    columns: dict[str, str] = {}
    current = None
    for line in header[split + 1 :]:
        indent = len(line) - len(line.lstrip())
        name, sep, text = line.strip().partition(":")
        if indent <= 2 and sep and name.isidentifier():
            current = name
            columns[current] = text.strip()
        elif current is not None and line.strip():
            columns[current] = f"{columns[current]} {line.strip()}"
    return "\n".join(description).strip(), columns


def parse_select(sql: str, where: str = "<sql>") -> exp.Query:
    try:
        statements = [s for s in sqlglot.parse(sql, dialect="duckdb") if s is not None]
    except sqlglot.errors.ParseError as error:
        raise SqlModelError(f"{where}: sqlglot cannot parse the model: {error}") from error
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise SqlModelError(f"{where}: a model must hold exactly one select statement")
    return statements[0]


def functions_called(sql: str, where: str = "<sql>") -> set[str]:
    """Names of the functions a select calls that sqlglot does not know (macros among them)."""
    return {call.name.lower() for call in parse_select(sql, where).find_all(exp.Anonymous)}


def tables_read(sql: str, where: str = "<sql>") -> tuple[str, ...]:
    """Schema-qualified tables a single select reads; CTE names are left out."""
    tree = parse_select(sql, where)
    cte_names = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    reads = set()
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            continue  # table functions such as range(), generate_series()
        if not table.db:
            if table.name in cte_names:
                continue
            raise SqlModelError(
                f"{where}: table {table.name!r} is neither a CTE nor schema-qualified "
                "(write e.g. staging.stg_registrations__vehicles)"
            )
        reads.add(f"{table.db}.{table.name}")
    return tuple(sorted(reads))


def read_macros(sql_dir: Path) -> dict[str, str]:
    """name → `create or replace temp macro` statement, from sql_dir/macros/<name>.sql."""
    macros = {}
    for path in sorted((sql_dir / MACRO_DIR).glob("*.sql")):
        statement = path.read_text(encoding="utf-8").strip().removesuffix(";").rstrip()
        if f"macro {path.stem}(" not in statement.lower():
            raise SqlModelError(f"{MACRO_DIR}/{path.name} must create the macro {path.stem}")
        macros[path.stem] = statement
    return macros


def read_model(path: Path, schema: str, macros: dict[str, str] | None = None) -> SqlModel:
    sql = path.read_text(encoding="utf-8").strip().removesuffix(";").rstrip()
    description, column_docs = parse_header(sql)
    where = f"{schema}/{path.name}"
    if not path.stem.isidentifier():
        raise SqlModelError(f"{where}: a model file name must be a SQL identifier")
    if not description:
        raise SqlModelError(f"{where}: the model has no header comment (grain, key, why)")
    macros = macros or {}
    called = functions_called(sql, where)
    return SqlModel(
        schema=schema,
        name=path.stem,
        path=path,
        sql=sql,
        description=description,
        column_docs=column_docs,
        reads=tables_read(sql, where),
        macros=tuple(macros[name] for name in sorted(called & set(macros))),
    )


def discover_models(sql_dir: Path, other_tables: Collection[str] | None = None) -> list[SqlModel]:
    """Every model under sql_dir/<layer>/*.sql, checked and in dependency order.

    other_tables are the tables that assets other than the models write (raw.*, reference.*,
    the ledgers, tables built in Python): a model may read those and the other models, and
    nothing else. None leaves references unchecked (any table that is not a model is someone
    else's)."""
    macros = read_macros(sql_dir)
    models = [
        read_model(path, schema, macros)
        for schema in MODEL_SCHEMAS
        for path in sorted((sql_dir / schema).glob("*.sql"))
    ]
    return build_order(models, other_tables)


def build_order(
    models: list[SqlModel], other_tables: Collection[str] | None = None
) -> list[SqlModel]:
    """Models sorted so each comes after what it reads; unknown references and cycles raise."""
    by_name = {model.qualified_name: model for model in models}
    graph: dict[str, set[str]] = {}
    for model in models:
        graph[model.qualified_name] = set()
        for table in model.reads:
            if table in by_name:
                graph[model.qualified_name].add(table)
            elif other_tables is not None and table not in other_tables:
                raise SqlModelError(unknown_table(model, table))
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        cycle = " reads ".join(reversed(error.args[1]))
        raise SqlModelError(f"SQL models read each other in a cycle: {cycle}") from error
    return [by_name[name] for name in order]


def unknown_table(model: SqlModel, table: str) -> str:
    schema, name = table.split(".", 1)
    if schema in MODEL_SCHEMAS:
        missing = f"there is no model dbt_like_sql/{schema}/{name}.sql"
    else:
        missing = f"schema {schema!r} is not a model layer {MODEL_SCHEMAS}"
    return (
        f"{model.qualified_name} reads {table}, but {missing}, and no asset is keyed "
        f"[{schema!r}, {name!r}] or declares it written (table_writers.also_writes)"
    )
