"""`green_transport.xlsx`: the numbers a bureau office works with in Excel or WPS.

Four sheets: the target gap, the indicator values with their intervals, per source the
freshness and the quarantined records, and the quarantine by column and reason. Headers are
Chinese with English beside; shares are cells formatted as percentages (the cell holds 0.92,
Excel shows 92.0%), so a formula on them computes with the true value; the header row is
frozen. Freshness is the only clock-dependent part: it is as of `today`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import xlsxwriter

from assets.dashboards.labels import STATUS_WORDS
from assets.operations.freshness import source_freshness
from pipelines.warehouse import fetch_frame, table_exists

WORKBOOK_NAME = "green_transport.xlsx"

HEADERS = {
    "indicator_id": ("指标代码", "Indicator id"),
    "name_zh": ("指标名称", "Name (Chinese)"),
    "name_en": ("英文名称", "Name (English)"),
    "target_value": ("目标值", "Target"),
    "deadline": ("目标期限", "Deadline"),
    "latest_period": ("最新期", "Latest period"),
    "latest_value": ("最新值", "Latest value"),
    "value_at_deadline": ("期限值", "Value at deadline"),
    "gap_pp": ("差距（百分点）", "Gap (pp)"),
    "status": ("状态", "Status"),
    "status_words": ("状态说明", "Status in words"),
    "projected_at_deadline": ("期限预测值", "Projected at deadline"),
    "units_to_close": ("尚需车辆", "Vehicles to close"),
    "as_of": ("数据截至", "As of"),
    "period": ("期", "Period"),
    "period_end": ("期末日", "Period end"),
    "value": ("值", "Value"),
    "numerator": ("分子", "Numerator"),
    "denominator": ("分母", "Denominator"),
    "sample_size": ("样本量", "Sample size"),
    "ci_low": ("95%区间下限", "95% CI low"),
    "ci_high": ("95%区间上限", "95% CI high"),
    "source": ("数据源", "Source"),
    "cadence": ("更新周期", "Cadence"),
    "newest_file_date": ("最新文件日期", "Newest file date"),
    "age_days": ("距今天数", "Age (days)"),
    "max_age_days": ("允许天数", "Max age (days)"),
    "stale": ("是否过期", "Stale"),
    "records_quarantined": ("隔离记录数", "Records quarantined"),
    "column_name": ("字段", "Column"),
    "reason": ("原因", "Reason"),
    "records": ("记录数", "Records"),
}
SHARES = {
    "target_value",
    "latest_value",
    "value_at_deadline",
    "projected_at_deadline",
    "value",
    "ci_low",
    "ci_high",
}
PERCENT_FORMAT, NUMBER_FORMAT, DATE_FORMAT = "0.0%", "0.0", "yyyy-mm-dd"


@dataclass(frozen=True)
class Sheet:
    name: str  # Excel allows 31 characters and no []:*?/\
    frame: pl.DataFrame


def header(column: str) -> str:
    zh, en = HEADERS[column]
    return f"{zh} {en}"


def gap_sheet(con: duckdb.DuckDBPyConnection) -> Sheet:
    gap = fetch_frame(con, "select * from metrics.target_gap order by indicator_id, deadline")
    words = pl.col("status").replace_strict(
        {k: f"{zh} {en}" for k, (zh, en) in STATUS_WORDS.items()}, default=pl.col("status")
    )
    gap = gap.with_columns(words.alias("status_words"))
    order = [c for c in HEADERS if c in gap.columns]
    return Sheet("目标差距 Target gap", gap.select(order))


def values_sheet(con: duckdb.DuckDBPyConnection) -> Sheet:
    values = fetch_frame(
        con, "select * from metrics.indicator_values order by indicator_id, period_end, period"
    )
    return Sheet("指标值 Indicator values", values.select([c for c in HEADERS if c in values]))


def quarantine_counts(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    if not table_exists(con, "quality.quarantine"):
        return pl.DataFrame(
            schema={
                "source": pl.String,
                "column_name": pl.String,
                "reason": pl.String,
                "records": pl.Int64,
            }  # fmt: skip
        )
    return fetch_frame(
        con,
        "select source, column_name, reason, count(*) as records from quality.quarantine "
        "group by source, column_name, reason order by source, records desc, column_name, reason",
    )


def freshness_sheet(con: duckdb.DuckDBPyConnection, today: dt.date, counts: pl.DataFrame):
    per_source = dict(counts.group_by("source").agg(pl.col("records").sum()).iter_rows())
    rows = [
        {**row, "records_quarantined": per_source.get(row["source"], 0)}
        for row in source_freshness(con, today)
    ]
    frame = pl.DataFrame(
        rows,
        schema={
            "source": pl.String,
            "cadence": pl.String,
            "newest_file_date": pl.Date,
            "age_days": pl.Int64,
            "max_age_days": pl.Int64,
            "stale": pl.Boolean,
            "records_quarantined": pl.Int64,
        },
    )
    return Sheet(f"数据时效 Freshness {today.isoformat()}"[:31], frame)


def workbook_sheets(con: duckdb.DuckDBPyConnection, today: dt.date) -> list[Sheet]:
    counts = quarantine_counts(con)
    return [
        gap_sheet(con),
        values_sheet(con),
        freshness_sheet(con, today, counts),
        Sheet("隔离汇总 Quarantine", counts),
    ]


def write_workbook(con: duckdb.DuckDBPyConnection, path: Path, today: dt.date) -> Path:
    """Writes the workbook to `path` (replaced if present)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"remove_timezone": True})
    try:
        formats = {
            "head": book.add_format({"bold": True, "bg_color": "#ECEFF1", "text_wrap": True}),
            "share": book.add_format({"num_format": PERCENT_FORMAT}),
            "number": book.add_format({"num_format": NUMBER_FORMAT}),
            "date": book.add_format({"num_format": DATE_FORMAT}),
        }
        for sheet in workbook_sheets(con, today):
            write_sheet(book, sheet, formats)
    finally:
        book.close()
    return path


def column_format(column: str, dtype: pl.DataType, formats: dict):
    if column in SHARES:
        return formats["share"]
    if dtype == pl.Date or dtype == pl.Datetime:
        return formats["date"]
    if dtype.is_float():
        return formats["number"]
    return None


def write_sheet(book: xlsxwriter.Workbook, sheet: Sheet, formats: dict) -> None:
    page = book.add_worksheet(sheet.name)
    page.freeze_panes(1, 0)
    for index, column in enumerate(sheet.frame.columns):
        page.write_string(0, index, header(column), formats["head"])
        width = max(12, min(40, len(header(column)) + 4))
        fmt = column_format(column, sheet.frame.schema[column], formats)
        page.set_column(index, index, width, fmt)
        for row, value in enumerate(sheet.frame[column].to_list(), start=1):
            if value is None:
                page.write_blank(row, index, None, fmt)
            elif isinstance(value, bool):
                page.write_boolean(row, index, value, fmt)
            elif isinstance(value, dt.date):
                page.write_datetime(row, index, value, fmt)
            elif isinstance(value, int | float):
                page.write_number(row, index, value, fmt)
            else:
                page.write_string(row, index, str(value), fmt)
