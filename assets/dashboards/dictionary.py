"""The data dictionary page (dictionary.html, published with the dashboard): every table, view
and column of every schema with its type and comment, generated from the warehouse's own
COMMENTs, so it cannot drift from the file analysts open. The comments are Chinese with
English beside (assets/warehouse/comments.py); with GREENTRACK_LANG=en the page drops the
Chinese names."""

from __future__ import annotations

from pathlib import Path

import duckdb

from assets.dashboards.fonts import FONT_STACK
from assets.dashboards.labels import Words
from assets.dashboards.markup import escape
from assets.dashboards.section_downloads import DICTIONARY_NAME
from assets.warehouse.comments import RELATIONS, chinese_name, english_part, warehouse_docs
from pipelines.warehouse import SCHEMAS

STYLE = (
    "body{font-family:FONTS;margin:0 auto;max-width:1100px;padding:0 20px;color:#263238}"
    "table{border-collapse:collapse;font-size:13px;margin:8px 0 24px}"
    "th,td{border:1px solid #cfd8dc;padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#eceff1}.en{color:#607d8b}code{font-size:12px}"
).replace("FONTS", FONT_STACK)


def dictionary_rows(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """One row per column: schema, table, table comment, column, type, column comment."""
    result = con.execute(
        f"with relations as ({RELATIONS}) "
        "select c.schema_name, c.table_name, coalesce(t.comment, ''), c.column_name, "
        "c.data_type, coalesce(c.comment, '') from duckdb_columns() as c "
        "inner join relations as t on t.database_name = c.database_name "
        "and t.schema_name = c.schema_name and t.table_name = c.table_name "
        "where c.database_name = current_database() "
        "order by c.schema_name, c.table_name, c.column_index"
    ).fetchall()
    keys = ("schema", "table", "table_comment", "column", "type", "comment")
    return [dict(zip(keys, row, strict=True)) for row in result]


def _schema_title(schema: str, words: Words) -> str:
    label = warehouse_docs()["schemas"].get(schema)
    return words.text(label["zh"], label["en"]) if label else schema


def _comment(words: Words, text: str, schema: str, table: str, column: str | None = None) -> str:
    if words.lang != "en":
        return text
    return english_part(chinese_name(schema, table, column), text)


def render_dictionary(rows: list[dict], words: Words) -> str:
    order = {s: i for i, s in enumerate(SCHEMAS)}
    tables: dict[tuple[str, str], list[dict]] = {}
    for row in sorted(rows, key=lambda r: (order.get(r["schema"], 99), r["schema"], r["table"])):
        tables.setdefault((row["schema"], row["table"]), []).append(row)
    head = (
        f"<tr><th>{escape(words.text('列', 'Column'))}</th>"
        f"<th>{escape(words.text('类型', 'Type'))}</th>"
        f"<th>{escape(words.text('说明', 'Description'))}</th></tr>"
    )
    parts, schema_seen = [], None
    for (schema, table), columns in tables.items():
        if schema != schema_seen:
            parts.append(f"<h2 id='{escape(schema)}'>{escape(schema)} · "
                         f"{escape(_schema_title(schema, words))}</h2>")  # fmt: skip
            schema_seen = schema
        body = "".join(
            f"<tr><td><code>{escape(c['column'])}</code></td><td>{escape(c['type'])}</td>"
            f"<td>{escape(_comment(words, c['comment'], schema, table, c['column']))}</td></tr>"
            for c in columns
        )
        table_comment = _comment(words, columns[0]["table_comment"], schema, table)
        parts.append(
            f"<h3 id='{escape(schema)}.{escape(table)}'><code>{escape(schema)}.{escape(table)}"
            f"</code></h3><p>{escape(table_comment)}</p><table>{head}{body}</table>"
        )
    title = words.text("数据字典", "Data dictionary")
    lang = "en" if words.lang == "en" else "zh-CN"
    lead = words.text(
        "绿色交通数据仓库 green_transport.duckdb 中每个表和字段的说明（来自表注释）。",
        "Every table and column of the warehouse green_transport.duckdb, from its comments.",
    )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><p>{escape(lead)}</p>"
        f'<p><a href="index.html">{escape(words.text("返回看板", "Back to the dashboard"))}</a></p>'
        f"{''.join(parts)}</body></html>"
    )


def write_dictionary(con: duckdb.DuckDBPyConnection, site_dir: Path, words: Words) -> Path:
    path = site_dir / DICTIONARY_NAME
    path.write_text(render_dictionary(dictionary_rows(con), words), encoding="utf-8")
    return path
