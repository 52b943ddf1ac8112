"""Names and texts reach SQL quoted by one helper; paths and values only as parameters."""

from __future__ import annotations

import ast
import re

import duckdb
import polars as pl
import pytest

from assets.publish.history import carry_forward
from pipelines.sql_text import column_list, identifier, literal, qualified
from pipelines.warehouse import preview_markdown, replace_table
from tests.conftest import REPO_ROOT

AWKWARD = ["it's", 'say "hi"', "a b", "中文 名", "back\\slash", "semi;colon -- x", "dot.ted"]


def test_identifier_doubles_double_quotes():
    assert identifier('say "hi"') == '"say ""hi"""'
    assert identifier("plain") == '"plain"'
    assert qualified("marts.dim_vehicle") == '"marts"."dim_vehicle"'
    assert qualified("metrics", "a.b") == '"metrics"."a.b"'
    assert column_list(["a", 'b"c']) == '"a", "b""c"'


def test_literal_doubles_single_quotes_and_keeps_backslashes():
    assert literal("it's") == "'it''s'"
    assert literal("back\\slash") == "'back\\slash'"


@pytest.mark.parametrize("bad", ["", "nul\x00", "bell\x07", "x" * 256, None, "a.b.c.d"])
def test_unusable_names_are_refused(bad):
    with pytest.raises(ValueError):
        qualified(bad) if bad == "a.b.c.d" else identifier(bad)


def test_a_comment_with_a_nul_is_refused():
    with pytest.raises(ValueError):
        literal("a\x00b")


@pytest.mark.parametrize("name", AWKWARD)
def test_awkward_names_and_texts_round_trip_through_duckdb(name):
    con = duckdb.connect()
    con.execute("create schema raw")
    table = qualified("raw", name)
    con.execute(f"create table {table} ({identifier(name)} int)")
    con.execute(f"insert into {table} values (1)")
    comment = name + "\nline 2"
    con.execute(f"comment on table {table} is {literal(comment)}")
    assert con.execute("select table_name, comment from duckdb_tables()").fetchall() == [
        (name, comment)
    ]
    assert con.execute(f"select {identifier(name)} from {table}").fetchall() == [(1,)]
    replace_table(con, "raw.t", pl.DataFrame({name: [2]}))
    assert preview_markdown(con, "raw.t").splitlines()[0] == f"| {name} |"


def test_history_attaches_a_previous_warehouse_whose_path_has_quotes(tmp_path):
    folder = tmp_path / 'it\'s "the" 仓库 dir'
    folder.mkdir()
    previous = folder / "green_transport.duckdb"
    with duckdb.connect(str(previous)) as old:
        old.execute("create schema audit")
        old.execute("create table audit.indicator_values_history (run_id varchar, v int)")
        old.execute("insert into audit.indicator_values_history values ('run-1', 7)")
    con = duckdb.connect()
    con.execute("create schema audit")
    con.execute("create table audit.indicator_values_history (run_id varchar, v int)")
    carry_forward(con, previous, "run-2")
    assert con.execute("select * from audit.indicator_values_history").fetchall() == [("run-1", 7)]


# --- the guard: no SQL statement built by formatting a quoted value, a path or a file name ---

SQL_START = re.compile(
    r"^\s*(select|insert|create|attach|detach|copy|delete|update|comment\s+on|drop|alter|"
    r"pragma|with|install|load|export|import|set)\b",
    re.IGNORECASE,
)
SQL_READER = re.compile(r"\b(read_csv\w*|read_parquet|read_json\w*|read_text|glob)\s*\(", re.I)
# a name holding a path: one of these words as a part of it (out_path, file_name, sql_dir,
# filename), not inside another word (TRIP_PROFILES is a table)
PATHLIKE = re.compile(
    r"(?:^|[^a-z])(?:path|file|dir|folder|previous|root|location)(?:names?|s)?(?:$|[^a-z])",
    re.IGNORECASE,
)


def _constant_text(node: ast.JoinedStr) -> str:
    return "".join(p.value for p in node.values if isinstance(p, ast.Constant))


def formatted_sql_problems(source: str, where: str = "<snippet>") -> list[str]:
    """Every SQL f-string or %/format call that puts a value between quotes by hand, or
    formats a path-like name into SQL; `where: line: why`."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            text = _constant_text(node)
            if not (SQL_START.search(text) or SQL_READER.search(text)):
                continue
            parts = node.values
            for index, part in enumerate(parts):
                if not isinstance(part, ast.FormattedValue):
                    continue
                before = parts[index - 1] if index else None
                after = parts[index + 1] if index + 1 < len(parts) else None
                quoted = (isinstance(before, ast.Constant) and before.value[-1:] in "'\"") or (
                    isinstance(after, ast.Constant) and after.value[:1] in "'\""
                )
                expression = ast.unparse(part.value)
                if quoted:
                    problems.append(f"{where}:{node.lineno}: {{{expression}}} quoted by hand")
                elif PATHLIKE.search(expression):
                    problems.append(f"{where}:{node.lineno}: path-like {{{expression}}} in SQL")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            left = node.left
            if isinstance(left, ast.Constant) and isinstance(left.value, str):
                if SQL_START.search(left.value) or SQL_READER.search(left.value):
                    problems.append(f"{where}:{node.lineno}: SQL built with %")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
            if node.func.attr == "format" and isinstance(target, ast.Constant):
                text = str(target.value)
                if SQL_START.search(text) or SQL_READER.search(text):
                    problems.append(f"{where}:{node.lineno}: SQL built with str.format")
    return problems


@pytest.mark.parametrize(
    "snippet",
    [
        "con.execute(f\"attach '{previous}' as previous (read_only)\")",
        "con.execute(f\"select * from read_parquet('{part}')\")",
        "con.execute(f'select \"{column}\" from t')",
        'con.execute(f"copy t to {out_path} (format parquet)")',
        "con.execute(\"select * from read_csv('%s')\" % path)",
        "con.execute(\"attach '{}' as p\".format(previous))",
        'sql = (\n    f"insert into t select * from "\n    f"read_csv(\'{file_name}\')"\n)',
    ],
)
def test_the_guard_finds_sql_built_from_a_quoted_value_or_a_path(snippet):
    assert formatted_sql_problems(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        'con.execute("attach ? as previous (read_only)", [str(previous)])',
        'con.execute(f"select {column_list(cols)} from {qualified(table)}")',
        "message = f\"file '{path}' is not readable\"",
        'fetch_frame(con, f"select * from {TRIP_PROFILES}")',  # a table name holding "file"
    ],
)
def test_the_guard_lets_parameters_and_quoted_names_through(snippet):
    assert formatted_sql_problems(snippet) == []


def test_no_source_file_builds_sql_from_a_quoted_value_or_a_path():
    problems = []
    for folder in ("assets", "pipelines", "benchmarks"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            where = str(path.relative_to(REPO_ROOT))
            problems += formatted_sql_problems(path.read_text(encoding="utf-8"), where)
    assert problems == []
