"""Build the whole static site into a directory: index.html, data/numbers.json, exports/.

`build_site` never raises for missing tables: each absent part becomes a visible note, so the
dashboard cannot break a run that produced the metrics.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from assets.dashboards import exports
from assets.dashboards.fonts import CjkFont
from assets.dashboards.labels import Words
from assets.dashboards.layout import Section, omitted
from assets.dashboards.numbers import numbers_document
from assets.dashboards.page import render_page
from assets.dashboards.reads import Reads, order_targets, read_all
from assets.dashboards.section_carbon import SECTION_ID as CARBON_ID
from assets.dashboards.section_carbon import carbon_section, section_title
from assets.dashboards.section_downloads import EXPORTS_DIR_NAME, downloads_section
from assets.dashboards.section_indicators import indicator_section
from assets.dashboards.section_overview import OVERVIEW_CHART_ID, overview_section
from assets.dashboards.section_quality import quality_section, supply_section
from assets.exports.parquet_files import PARQUET_DIR_NAME, exported_tables, write_parquet_files
from assets.exports.workbook import WORKBOOK_NAME, write_workbook


@dataclass
class SiteReport:
    index: Path
    specs: dict[str, dict] = field(default_factory=dict)
    omitted: dict[str, str] = field(default_factory=dict)
    font: CjkFont | None = None

    @property
    def chart_ids(self) -> list[str]:
        return list(self.specs)

    def overview_png(self, scale: float = 1.0) -> bytes | None:
        """The overview chart as a PNG (small, for the asset's metadata); None without it.

        Rasterised from the exported SVG when there is one: Vega already drew the chart
        for the exports, and drawing it again took a second."""
        spec = self.specs.get(OVERVIEW_CHART_ID)
        if spec is None:
            return None
        svg = self.index.parent / "exports" / f"{OVERVIEW_CHART_ID}.svg"
        if svg.is_file():
            return exports.svg_to_png(svg.read_text(encoding="utf-8"), scale)
        return exports.to_png(spec, scale)


def guarded(section_id: str, title: str, build, reads: Reads, words: Words) -> Section:
    """A section, or, if drawing it fails on unexpected data, a section saying so: the page
    (and the run) must not fail because one part could not be drawn."""
    try:
        return build()
    except Exception as error:  # noqa: BLE001 - any failure becomes a visible note
        reads.missing[f"section {section_id}"] = f"{type(error).__name__}: {error}"
        section = Section(section_id, title)
        section.add_note(
            omitted(words, ("本节", "this section"), f"{type(error).__name__}: {error}")
        )
        return section


def page_sections(reads: Reads, words: Words) -> list[Section]:
    values, gap = reads.get("indicator_values"), reads.get("target_gap")
    supply = guarded("supply", words.text("公交供给", "Transit supply"),
                     lambda: supply_section(reads, words), reads, words)  # fmt: skip
    quality = guarded("quality", words.text("数据时效与质量", "Data freshness and quality"),
                      lambda: quality_section(reads, words), reads, words)  # fmt: skip
    if values is None or gap is None:
        section = Section("overview", words.text("总览", "Overview"))
        why = "; ".join(reads.missing.get(n, "") for n in ("indicator_values", "target_gap"))
        section.add_note(omitted(words, ("指标表", "metrics tables"), why.strip("; ")))
        return [section, supply, quality]
    targets = order_targets(gap)
    overview = guarded("overview", words.text("总览", "Overview"),
                       lambda: overview_section(targets, words), reads, words)  # fmt: skip
    indicators = [
        guarded(
            t["indicator_id"],
            words.text(t["name_zh"], t["name_en"]),
            lambda t=t: indicator_section(t, reads, words),
            reads,
            words,
        )  # fmt: skip
        for t in targets.iter_rows(named=True)
    ]
    carbon = guarded(CARBON_ID, section_title(words),
                     lambda: carbon_section(reads, words), reads, words)  # fmt: skip
    return [overview, *indicators, carbon, supply, quality]


def lead_text(reads: Reads, words: Words) -> str:
    gap = reads.get("target_gap")
    dates = sorted({str(d) for d in gap["as_of"].drop_nulls()}) if gap is not None else []
    span = f"{dates[0]} – {dates[-1]}" if len(dates) > 1 else (dates[0] if dates else "—")
    return words.text(
        f"太仓市碳达峰实施方案绿色交通目标，数据截至 {span}。",
        f"Green-transport targets of the Taicang carbon-peak plan; data as of {span}.",
    )


def write_data_files(con, directory: Path, today: dt.date, reads: Reads) -> None:
    """The workbook and the Parquet tables; a file that cannot be written becomes a note in
    the report (like a chart image), never a failed run."""
    for name, write in (
        (WORKBOOK_NAME, lambda: write_workbook(con, directory / WORKBOOK_NAME, today)),
        (PARQUET_DIR_NAME, lambda: write_parquet_files(con, directory / PARQUET_DIR_NAME)),
    ):
        try:
            write()
        except (duckdb.Error, OSError, ValueError, KeyError) as error:
            reads.missing[f"export {name}"] = f"{type(error).__name__}: {error}"


def build_site(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    words: Words,
    export_images: bool = True,
    bundle_cache: Path | None = None,
    today: dt.date | None = None,
) -> SiteReport:
    """Reads the warehouse and writes the complete site into `out_dir` (replaced if present);
    `export_images=False` skips the PNG/SVG exports (quicker, for page-only checks);
    `bundle_cache` keeps the Vega bundle between runs (exports.javascript_bundle). The
    workbook and the Parquet tables are always written (exports/); `today` dates the
    workbook's freshness sheet (default: the clock)."""
    reads = read_all(con)
    parquet_tables = exported_tables(con)
    sections = [*page_sections(reads, words), downloads_section(parquet_tables, words)]
    figures = [f for s in sections for f in s.figures]
    values = reads.get("indicator_values")
    gap = reads.get("target_gap")
    numbers = numbers_document(
        order_targets(gap) if gap is not None else pl.DataFrame({"indicator_id": []}),
        values if values is not None else pl.DataFrame({"indicator_id": []}),
        words,
        [f.chart_id for f in figures],
        reads.missing,
    )
    if out_dir.exists():
        shutil.rmtree(out_dir)
    (out_dir / "data").mkdir(parents=True)
    title = words.text("太仓绿色交通目标进展", "Taicang green-transport targets")
    bundle = exports.javascript_bundle(bundle_cache)
    html = render_page(title, lead_text(reads, words), sections, numbers, bundle, words.lang)
    index = out_dir / "index.html"
    index.write_text(html, encoding="utf-8")
    (out_dir / "data" / "numbers.json").write_text(
        json.dumps(numbers, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
    )
    write_data_files(con, out_dir / EXPORTS_DIR_NAME, today or dt.date.today(), reads)
    specs = {f.chart_id: f.spec for f in figures}
    if export_images:
        for chart_id, why in exports.export_charts(specs, out_dir / "exports").items():
            reads.missing[f"export {chart_id}"] = why  # a missing image must not fail the run
    return SiteReport(index, specs, reads.missing, exports.register_cjk_font())
