"""Data freshness and quality (audit.*, quality.*) and transit supply (GTFS), when present."""

from __future__ import annotations

import polars as pl

from assets.dashboards import charts_supply, html_parts
from assets.dashboards.labels import Words
from assets.dashboards.layout import Section, omitted
from assets.dashboards.reads import Reads

NEWEST_COLUMNS = ("newest_file", "newest_file_date", "rows_loaded", "rows_quarantined")


def source_freshness(files: pl.DataFrame, newest: pl.DataFrame | None) -> pl.DataFrame:
    """Per source: how many files were read and rejected (audit.source_files), and the newest
    accepted file with its date and its rows loaded and quarantined (`newest`, the rows of
    staging.stg_audit__accepted_files flagged is_newest)."""
    counts = files.group_by("source").agg(
        pl.len().alias("files"), (pl.col("status") == "rejected").sum().alias("rejected")
    )
    if newest is None:
        return counts.with_columns(pl.lit(None).alias(c) for c in NEWEST_COLUMNS).sort("source")
    return counts.join(newest, on="source", how="left").sort("source")


def freshness_part(section: Section, reads: Reads, words: Words):
    files = reads.get("source_files")
    if files is None:
        section.add_note(omitted(words, ("数据来源", "sources"), reads.missing["source_files"]))
        return
    fresh = source_freshness(files, reads.get("newest_files")).with_columns(
        pl.col("source").map_elements(words.source, return_dtype=pl.Utf8)
    )
    section.add_html(html_parts.heading(words.text("各来源最新数据", "Newest data per source")))
    headers = [
        words.text("来源", "source"),
        words.text("最新文件", "newest file"),
        words.text("文件日期", "file date"),
        words.text("载入行数", "rows loaded"),
        words.text("隔离行数", "rows quarantined"),
        words.text("文件数", "files"),
        words.text("被拒文件", "rejected files"),
    ]
    columns = ["source", "newest_file", "newest_file_date", "rows_loaded", "rows_quarantined"]
    rows = [list(r) for r in fresh.select(*columns, "files", "rejected").iter_rows()]
    section.add_html(html_parts.table(headers, rows, "freshness"))
    rejected = files.filter(pl.col("status") == "rejected")
    if rejected.height:
        section.add_html(html_parts.heading(words.text("被拒文件", "Rejected files")))
        section.add_html(
            html_parts.table(
                [words.text("被拒文件", "rejected file"), words.text("原因", "reason")],
                [list(r) for r in rejected.select("file_name", "reason").iter_rows()],
                "rejected",
            )
        )


def checks_part(section: Section, reads: Reads, words: Words):
    quarantine = reads.get("quarantine")
    if quarantine is not None and quarantine.height:
        section.add_html(
            html_parts.heading(words.text("隔离记录原因", "Why records were quarantined"))
        )
        quarantine = quarantine.with_columns(
            pl.col("source").map_elements(words.source, return_dtype=pl.Utf8)
        )
        headers = [
            words.text("来源", "source"),
            words.text("原因", "reason"),
            words.text("记录数", "records"),
        ]
        section.add_html(html_parts.table(headers, [list(r) for r in quarantine.iter_rows()]))
    failed = reads.get("validation")
    section.add_html(html_parts.heading(words.text("数据校验", "Data checks")))
    if failed is None:
        section.add_note(omitted(words, ("校验结果", "check results"), reads.missing["validation"]))
    elif failed.is_empty():
        section.add_note(words.text("全部校验通过。", "Every check passed."))
    else:
        section.add_note(words.text("以下校验未通过：", "These checks failed:"))
        headers = ["suite", "expectation", "column", "success", "unexpected_count"]
        section.add_html(html_parts.table(headers, [list(r) for r in failed.iter_rows()], "failed"))


def quality_section(reads: Reads, words: Words) -> Section:
    section = Section("quality", words.text("数据时效与质量", "Data freshness and quality"))
    freshness_part(section, reads, words)
    checks_part(section, reads, words)
    return section


def supply_section(reads: Reads, words: Words) -> Section:
    section = Section("supply", words.text("公交供给", "Transit supply"))
    values, daily = reads.get("gtfs_values"), reads.get("gtfs_daily")
    if values is not None and values.height:
        chart = charts_supply.clean_share_chart(values, words)
        section.add_chart("supply_clean_share", chart, words.text("车公里占比", "bus-km"), words)
    else:
        why = reads.missing.get("gtfs_values", "no rows")
        section.add_note(omitted(words, ("清洁能源车公里占比", "bus_km_clean_share"), why))
    if daily is None or daily.is_empty():
        why = reads.missing.get("gtfs_daily", "no rows")
        section.add_note(omitted(words, ("计划服务量", "scheduled service"), why))
        return section
    chart = charts_supply.service_chart(daily, words)
    section.add_chart("supply_service", chart, words.text("计划服务量", "service"), words)
    towns = charts_supply.stops_by_town(daily) if "stops_per_town" in daily.columns else None
    if towns is not None and towns.height:
        chart = charts_supply.stops_chart(towns, words)
        section.add_chart("supply_stops_by_town", chart, words.text("各镇站点", "stops"), words)
    return section
