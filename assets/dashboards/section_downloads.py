"""Downloads: the workbook and the Parquet tables published with the page (exports/)."""

from __future__ import annotations

from assets.dashboards.labels import Words
from assets.dashboards.layout import Section
from assets.dashboards.markup import escape
from assets.exports.parquet_files import PARQUET_DIR_NAME
from assets.exports.workbook import WORKBOOK_NAME

DICTIONARY_NAME = "dictionary.html"  # written at publication (assets/publish/assets.py)

EXPORTS_DIR_NAME = "exports"


def download_paths(parquet_tables: list[str]) -> dict[str, str]:
    """Link text → path relative to index.html."""
    paths = {WORKBOOK_NAME: f"{EXPORTS_DIR_NAME}/{WORKBOOK_NAME}"}
    for name in parquet_tables:
        paths[f"{name}.parquet"] = f"{EXPORTS_DIR_NAME}/{PARQUET_DIR_NAME}/{name}.parquet"
    return paths


def _links(paths: dict[str, str]) -> str:
    items = "".join(
        f'<li><a href="{escape(path)}" download>{escape(text)}</a></li>'
        for text, path in paths.items()
    )
    return f"<ul>{items}</ul>"


def downloads_section(parquet_tables: list[str], words: Words) -> Section:
    section = Section("downloads", words.text("数据下载", "Downloads"))
    dictionary = words.text("数据字典：每个表和字段的说明", "Data dictionary: tables, columns")
    section.add_html(f'<p><a href="{DICTIONARY_NAME}">{escape(dictionary)}</a></p>')
    workbook, *tables = download_paths(parquet_tables).items()
    section.add_html(
        "<p>"
        + escape(
            words.text(
                "Excel 工作簿：目标差距、指标值及区间、各数据源时效与隔离记录。",
                "Excel workbook: target gap, indicator values with intervals, per source "
                "freshness and quarantined records.",
            )
        )
        + "</p>"
        + _links(dict([workbook]))
    )
    section.add_html(
        "<p>"
        + escape(
            words.text("Parquet 数据表（marts 与 metrics）：", "Parquet tables (marts, metrics):")
        )
        + "</p>"
        + _links(dict(tables))
    )
    return section
