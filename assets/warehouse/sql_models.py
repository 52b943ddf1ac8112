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

A rule that several models state alike (the SCD2 intervals, a source's renames) is a *table
macro*: dbt_like_sql/macros/<name>.sql holds its one select, with a header that has an
`arguments:` line (the names it takes, comma-separated; none for a macro of no arguments). A
model calls it as a table function, `from <name>(...)`; the macro is created (a temporary
DuckDB macro, so the warehouse file does not keep it) before the model's table, its tables
count among the model's reads, and its text is part of the model's code version and
fingerprint. A *scalar macro* (an expression rule: GTFS time text to seconds, great-circle km)
is a file holding its own `create or replace temp macro <name>(...) as <expression>` statement,
and reaches the models that call it the same way.

A table that Python builds (survey estimation, reading GTFS zips) is declared the same way: a
file `<layer>/<name>.sql` holding the same header, a `-- built by: <module>` line naming the
code that writes it, and no select. The factory runs no asset for a declaration; the table is
known to the models that read it, and the writer comments it from this header through the same
comment_model, with the same check that every column is documented.
"""

from __future__ import annotations

import graphlib
import hashlib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import sqlglot
from sqlglot import exp

# build order of the layers; quality holds the checks analysts read (quality.reconciliation)
MODEL_SCHEMAS = ("staging", "intermediate", "marts", "metrics", "quality")
DOCUMENTED_SCHEMAS = ("marts", "metrics", "quality")  # every column must carry a comment
MACRO_DIR = "macros"
SCALAR_MACRO = re.compile(
    r"create\s+or\s+replace\s+temp\s+macro\s+(\w+)\s*\(([^)]*)\)\s+as\s+(?!table\b)",
    re.IGNORECASE,
)
BUILT_BY = "built by:"  # the header line of a declaration: the Python module writing the table


class SqlModelError(ValueError):
    """A model file that cannot be turned into an asset (bad SQL, reference, or cycle)."""


@dataclass(frozen=True)
class SqlMacro:
    """A macro of dbt_like_sql/macros/: a table macro (one select that models call as a table
    function) or a scalar macro (an expression, created by its own statement)."""

    name: str
    arguments: tuple[str, ...]
    sql: str
    reads: tuple[str, ...] = ()  # schema-qualified tables, sorted
    calls: tuple[str, ...] = ()  # other macros it calls, sorted
    statement: str | None = None  # a scalar macro's own `create ... macro` statement

    @property
    def create_sql(self) -> str:
        if self.statement is not None:
            return self.statement
        arguments = ", ".join(self.arguments)
        return f"create or replace temp macro {self.name}({arguments}) as table\n{self.sql}"


@dataclass(frozen=True)
class SqlModel:
    schema: str
    name: str
    path: Path
    sql: str
    description: str
    column_docs: dict[str, str] = field(default_factory=dict)
    reads: tuple[str, ...] = ()  # schema-qualified tables, sorted, its macros' included
    macros: tuple[SqlMacro, ...] = ()  # the macros it calls, directly or through another
    built_by: str | None = None  # a declaration: the module building the table; None: a model

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def code_version(self) -> str:
        text = "\n".join([self.sql, *(macro.sql for macro in self.macros)])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def header_lines(sql: str) -> list[str]:
    """The leading `--` lines without their `--` (and one space), indentation kept."""
    header: list[str] = []
    for line in sql.splitlines():
        stripped = line.strip()
        if not stripped.startswith("--"):
            break
        header.append(stripped[2:].removeprefix(" ").rstrip())
    return header


def header_value(sql: str, key: str) -> str | None:
    """What the header's first `<key> ...` line says (e.g. `built by:`); None without one."""
    for line in header_lines(sql):
        if line.startswith(key):
            return line.removeprefix(key).strip()
    return None


def built_by(sql: str) -> str | None:
    """The module a declaration's `built by:` line names; None when there is no such line."""
    return header_value(sql, BUILT_BY)


def parse_header(sql: str) -> tuple[str, dict[str, str]]:
    """The leading comment as (description, {column: description}); a `built by:` line is
    not part of the description."""
    header = [line for line in header_lines(sql) if not line.startswith(BUILT_BY)]
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
    """The single select of a model or macro, parsed (dialect duckdb)."""
    try:
        statements = [s for s in sqlglot.parse(sql, dialect="duckdb") if s is not None]
    except sqlglot.errors.ParseError as error:
        raise SqlModelError(f"{where}: sqlglot cannot parse the model: {error}") from error
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise SqlModelError(f"{where}: a model must hold exactly one select statement")
    return statements[0]


def tables_read(sql: str, where: str = "<sql>") -> tuple[str, ...]:
    """Schema-qualified tables a single select reads; CTE names are left out."""
    return tables_in(parse_select(sql, where), where)


def tables_in(tree: exp.Query, where: str) -> tuple[str, ...]:
    cte_names = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    reads = set()
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            continue  # table functions such as range(), generate_series(), a macro
        if not table.db:
            if table.name in cte_names:
                continue
            raise SqlModelError(
                f"{where}: table {table.name!r} is neither a CTE nor schema-qualified "
                "(write e.g. staging.stg_registrations__vehicles)"
            )
        reads.add(f"{table.db}.{table.name}")
    return tuple(sorted(reads))


def functions_called(tree: exp.Query) -> set[str]:
    """Names of the functions DuckDB does not have built in that sqlglot knows (a macro's)."""
    return {function.name.lower() for function in tree.find_all(exp.Anonymous)}


def read_macro(path: Path, known: Collection[str]) -> SqlMacro:
    """The macro of dbt_like_sql/macros/<name>.sql; `known` are every macro's names."""
    sql = path.read_text(encoding="utf-8").strip().removesuffix(";").rstrip()
    where = f"{MACRO_DIR}/{path.name}"
    statement = "\n".join(sql.splitlines()[len(header_lines(sql)) :]).strip()
    if statement.lower().startswith("create"):
        return scalar_macro(path.stem, sql, statement, where)
    description, _ = parse_header(sql)
    lines = [line for line in description.splitlines() if line.startswith("arguments:")]
    if not path.stem.isidentifier() or len(lines) != 1:
        raise SqlModelError(f"{where}: a macro needs an identifier name and one arguments: line")
    names = lines[0].removeprefix("arguments:").split(",")
    arguments = tuple(name.strip() for name in names if name.strip())
    tree = parse_select(sql, where)
    calls = functions_called(tree) & set(known) - {path.stem}
    return SqlMacro(path.stem, arguments, sql, tables_in(tree, where), tuple(sorted(calls)))


def scalar_macro(name: str, sql: str, statement: str, where: str) -> SqlMacro:
    """A scalar macro file: its statement must create the macro its file is named after."""
    match = SCALAR_MACRO.match(statement)
    if match is None or match.group(1).lower() != name.lower():
        raise SqlModelError(
            f"{where}: a scalar macro file holds `create or replace temp macro {name}(...) as "
            "<expression>`"
        )
    arguments = tuple(a.strip() for a in match.group(2).split(",") if a.strip())
    return SqlMacro(name, arguments, sql, statement=statement)


def read_macros(sql_dir: Path) -> dict[str, SqlMacro]:
    paths = sorted((sql_dir / MACRO_DIR).glob("*.sql"))
    names = {path.stem.lower() for path in paths}
    return {macro.name.lower(): macro for macro in (read_macro(p, names) for p in paths)}


def macros_called(tree: exp.Query, macros: Mapping[str, SqlMacro]) -> tuple[SqlMacro, ...]:
    """The macros a select calls, directly or through another macro, by name."""
    pending, found = sorted(functions_called(tree) & set(macros)), {}
    while pending:
        name = pending.pop()
        if name not in found:
            found[name] = macros[name]
            pending.extend(macros[name].calls)
    return tuple(found[name] for name in sorted(found))


def read_model(path: Path, schema: str, macros: Mapping[str, SqlMacro] | None = None) -> SqlModel:
    """The model, or the declaration of a table built in Python, that a file holds."""
    sql = path.read_text(encoding="utf-8").strip().removesuffix(";").rstrip()
    description, column_docs = parse_header(sql)
    where = f"{schema}/{path.name}"
    if not path.stem.isidentifier():
        raise SqlModelError(f"{where}: a model file name must be a SQL identifier")
    if not description:
        raise SqlModelError(f"{where}: the model has no header comment (grain, key, why)")
    writer = built_by(sql)
    if writer is not None:
        return declaration(path, schema, sql, where, writer)
    tree = parse_select(sql, where)
    called = macros_called(tree, macros or {})
    reads = {*tables_in(tree, where), *(table for macro in called for table in macro.reads)}
    return SqlModel(
        schema=schema,
        name=path.stem,
        path=path,
        sql=sql,
        description=description,
        column_docs=column_docs,
        reads=tuple(sorted(reads)),
        macros=called,
    )


def declaration(path: Path, schema: str, sql: str, where: str, writer: str) -> SqlModel:
    """The declaration of a table built in Python: a header and no select."""
    if len(header_lines(sql)) < len(sql.splitlines()):
        raise SqlModelError(f"{where}: a declaration ({BUILT_BY} {writer}) holds no select")
    if not writer:
        raise SqlModelError(f"{where}: the {BUILT_BY} line names no module")
    description, column_docs = parse_header(sql)
    return SqlModel(schema, path.stem, path, sql, description, column_docs, built_by=writer)


def read_sql_dir(sql_dir: Path) -> list[SqlModel]:
    """Every file under sql_dir/<layer>/*.sql: the models and the declarations."""
    macros = read_macros(sql_dir)
    return [
        read_model(path, schema, macros)
        for schema in MODEL_SCHEMAS
        for path in sorted((sql_dir / schema).glob("*.sql"))
    ]


def discover_models(sql_dir: Path, other_tables: Collection[str] | None = None) -> list[SqlModel]:
    """Every model under sql_dir/<layer>/*.sql that the factory runs, checked and in
    dependency order (declarations of tables built in Python are left out).

    other_tables are the tables that assets other than the models write (raw.*, reference.*,
    the ledgers): a model may read those, the declared tables and the other models, and
    nothing else. None leaves references unchecked (any table that is not a model is someone
    else's)."""
    return ordered_models(*split_declarations(read_sql_dir(sql_dir)), other_tables)


def split_declarations(files: list[SqlModel]) -> tuple[list[SqlModel], dict[str, SqlModel]]:
    """The files of read_sql_dir as (the models, schema.table → each declaration)."""
    models = [model for model in files if model.built_by is None]
    declared = {model.qualified_name: model for model in files if model.built_by is not None}
    return models, declared


def ordered_models(
    models: list[SqlModel],
    declared: Mapping[str, SqlModel],
    other_tables: Collection[str] | None = None,
) -> list[SqlModel]:
    """discover_models on files already read: the declared tables are readable too."""
    if other_tables is not None:
        other_tables = {*other_tables, *declared}
    return build_order(models, other_tables)


def discover_declarations(sql_dir: Path) -> dict[str, SqlModel]:
    """schema.table → the declaration of each table built in Python."""
    return split_declarations(read_sql_dir(sql_dir))[1]


def check_declarations(declared: Mapping[str, SqlModel], written: Collection[str]) -> None:
    """Every declared table has an asset writing it, and every marts/metrics table an asset
    other than the models writes is declared."""
    unwritten = [
        f"{name} (built by: {d.built_by})" for name, d in declared.items() if name not in written
    ]
    if unwritten:
        raise SqlModelError(f"declared tables that no asset writes: {unwritten}")
    undeclared = sorted(
        table
        for table in written
        if table.split(".")[0] in ("marts", "metrics") and table not in declared
    )
    if undeclared:
        files = [f"dbt_like_sql/{t.replace('.', '/')}.sql" for t in undeclared]
        raise SqlModelError(
            f"tables built in Python without a declaration: {undeclared} (add {files} with "
            f"the header, a '-- {BUILT_BY} <module>' line and no select)"
        )


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
