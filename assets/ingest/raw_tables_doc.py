"""docs/raw_tables.md's tables of the raw tables, rendered from `raw_tables.yaml`.

The doc holds the rendering between two markers; tests/test_raw_tables.py fails when it is
stale. `python -m assets.ingest.raw_tables_doc` rewrites it.
"""

from __future__ import annotations

from pathlib import Path

from assets.ingest.raw_tables import RawColumn, lineage_columns, raw_tables

DOC = Path(__file__).resolve().parents[2] / "docs" / "raw_tables.md"
BEGIN = "<!-- begin: rendered from assets/ingest/raw_tables.yaml by raw_tables_doc.py -->"
END = "<!-- end: rendered from assets/ingest/raw_tables.yaml -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _header_cell(column: RawColumn) -> str:
    if column.computed:
        return "(computed)"
    alias = f" or `{column.field}`" if column.header != column.field else ""
    optional = "" if column.required else ", optional"
    return f"{column.header}{alias}{optional}"


def render() -> str:
    """The rendered part of the doc: the lineage columns, then one table per raw table."""
    lines = [
        "| column | type | meaning |",
        "|---|---|---|",
        *(f"| `{c.name}` | {c.type} | {_cell(c.note)} |" for c in lineage_columns()),
    ]
    for table in raw_tables().values():
        read_from = f", file `{table.file}`" if table.file else ""
        lines += [
            "",
            f"## {table.name}  ({table.grain})",
            f"Source `{table.source}`{read_from}.",
            "",
            "| column | type | header | meaning |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| `{c.name}` | {c.type} | {_header_cell(c)} | {_cell(c.note)} |"
            for c in table.columns
        ]
    return "\n".join(lines)


def rendered_doc(text: str) -> str:
    """`text` with the part between the markers replaced by `render()`."""
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{render()}\n{END}{tail}"


def main() -> None:
    DOC.write_text(rendered_doc(DOC.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
