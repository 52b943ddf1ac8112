"""The only way a name or a text gets into SQL: quoted here, where DuckDB takes no parameter.

Values and paths are bound as parameters (`?`: ATTACH, read_parquet, read_csv all take one).
What cannot be a parameter is quoted by these helpers: identifiers (schemas, tables and
columns named in code, config and mappings) in double quotes, and the text of COMMENT ON (the
one statement whose literal DuckDB will not bind) in single quotes, the quote character
doubled in both. DuckDB's plain literals know no backslash escapes, so doubling is the whole
of the escaping; a control character (NUL above all) has no business in a name or a comment
and is refused rather than quoted.
"""

from __future__ import annotations

import re

_PRINTABLE = re.compile(r"[^\x00-\x1f\x7f]{1,255}")
_PRINTABLE_TEXT = re.compile(r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*")


def identifier(name: str) -> str:
    """`name` as a quoted DuckDB identifier, its double quotes doubled."""
    if not isinstance(name, str) or not _PRINTABLE.fullmatch(name):
        raise ValueError(f"not a usable SQL name: {name!r}")
    return '"' + name.replace('"', '""') + '"'


def qualified(name: str, *parts: str) -> str:
    """`qualified("marts.dim_vehicle")` or `qualified("marts", table)`: every part quoted. A
    dotted name has one part (a temporary table), two or three; a name read from the catalog
    (which may hold a dot) is passed as a separate part."""
    names = (name, *parts) if parts else tuple(name.split(".")) if isinstance(name, str) else ()
    if len(names) not in (1, 2, 3):
        raise ValueError(f"not a schema-qualified table name: {name!r}")
    return ".".join(identifier(part) for part in names)


def column_list(columns: list[str]) -> str:
    """`"a", "b"`: quoted column names for a select or insert list."""
    return ", ".join(identifier(column) for column in columns)


def literal(text: str) -> str:
    """`text` as a DuckDB string literal, for COMMENT ON, which takes no parameter."""
    if not isinstance(text, str) or not _PRINTABLE_TEXT.fullmatch(text):
        raise ValueError(f"not a usable SQL text: {text!r}")
    return "'" + text.replace("'", "''") + "'"
