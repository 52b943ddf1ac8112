"""The built site (Chinese first, English beside) against the fixture warehouse it came from."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest

from assets.dashboards.html_parts import shown_fields
from assets.dashboards.labels import Words
from assets.dashboards.site import build_site
from tests.test_dashboard_fixtures import build_warehouse

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


class PageText(HTMLParser):
    """Collects the shown card fields, tag attributes and the text of chosen tags."""

    def __init__(self):
        super().__init__()
        self.fields: dict[tuple[str, str], str] = {}
        self.attributes: list[tuple[str, dict]] = []
        self.texts: dict[str, list[str]] = {}
        self._open: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.attributes.append((tag, attributes))
        self._open.append((tag, attributes))
        if tag in ("br", "meta", "input"):
            self._open.pop()

    def handle_endtag(self, tag):
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if not self._open:
            return
        tag, attributes = self._open[-1]
        if "data-field" in attributes:
            self.fields[(attributes["data-indicator"], attributes["data-field"])] = data
        self.texts.setdefault(tag, []).append(data)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    database = build_warehouse(root / "fixture.duckdb")
    with duckdb.connect(str(database), read_only=True) as con:
        report = build_site(con, root / "site", Words("zh"))
    page = PageText()
    html = report.index.read_text(encoding="utf-8")
    page.feed(html)
    return {"report": report, "html": html, "page": page, "database": database}


def embedded(html: str, element_id: str):
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html)
    return json.loads(match.group(1).replace("<\\/", "</"))


def table_rows(database: Path, sql: str, params: list | None = None) -> list[dict]:
    with duckdb.connect(str(database), read_only=True) as con:
        result = con.execute(sql, params or [])
        columns = [d[0] for d in result.description]
        return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


CARDS = {
    "bus_clean_share": {
        "status": "到期未达标 missed", "latest_value": "92.0%", "value_at_deadline": "91.4%",
        "target_value": "92.0%", "gap_pp": "0.0 个百分点", "units_to_close": "0 辆",
        "latest_period": "2026-01", "as_of": "2026-01-31", "deadline": "2025-12-31",
    },
    "urban_taxi_nev_share": {
        "status": "按趋势难达标 off track", "latest_value": "46.0%", "target_value": "50.0%",
        "gap_pp": "+4.0 个百分点", "units_to_close": "20 辆", "projected_at_deadline": "48.7%",
        "latest_period": "2025-10", "as_of": "2025-10-31", "deadline": "2025-12-31",
    },
    "new_public_vehicle_ev_share": {
        "status": "已达标 met", "latest_value": "82.0%", "target_value": "80.0%",
        "gap_pp": "-2.0 个百分点", "units_to_close": "0 辆", "projected_at_deadline": "94.7%",
        "latest_period": "2025", "as_of": "2025-10-31", "deadline": "2025-12-31",
    },
    "transit_mode_share": {
        "status": "按趋势可达标 on track", "latest_value": "4.1%", "target_value": "5.0%",
        "gap_pp": "+0.9 个百分点", "projected_at_deadline": "5.1%", "latest_period": "2024",
        "as_of": "2024-12-31", "deadline": "2025-12-31",
    },
    "green_travel_share": {
        "status": "按趋势难达标 off track", "latest_value": "58.0%", "target_value": "60.0%",
        "gap_pp": "+2.0 个百分点", "projected_at_deadline": "59.2%", "latest_period": "2024",
        "as_of": "2024-12-31", "deadline": "2025-12-31",
    },
}  # fmt: skip


@pytest.mark.parametrize("indicator", list(CARDS))
def test_card_shows_the_bureau_numbers(built, indicator):
    shown = {f: t for (i, f), t in built["page"].fields.items() if i == indicator}
    assert shown == CARDS[indicator]


def test_every_card_field_is_its_target_gap_row_formatted(built):
    words = Words("zh")
    for row in table_rows(built["database"], "select * from metrics.target_gap"):
        for field, text in shown_fields(row, words).items():
            assert built["page"].fields[(row["indicator_id"], field)] == text


def test_embedded_numbers_equal_the_metrics_tables(built):
    numbers = embedded(built["html"], "greentrack-numbers")
    rows = table_rows(built["database"], "select * from metrics.target_gap")
    by_id = {t["indicator_id"]: t for t in numbers["targets"]}
    for row in rows:
        shown = by_id[row["indicator_id"]]
        for column, value in row.items():
            expected = value.isoformat() if hasattr(value, "isoformat") else value
            assert shown[column] == expected, (row["indicator_id"], column)
    values = table_rows(built["database"], "select * from metrics.indicator_values")
    assert sum(len(s) for s in numbers["series"].values()) == len(values)
    for row in values:
        assert {
            "period": row["period"],
            "value": row["value"],
            "ci_low": row["ci_low"],
        }.items() <= (
            next(s for s in numbers["series"][row["indicator_id"]] if s["period"] == row["period"])
        ).items()


def find_rows(spec, required: set[str]) -> list[dict]:
    """The first inline data in a spec whose rows carry the `required` fields."""
    if isinstance(spec, dict):
        values = spec.get("data", {}).get("values") if isinstance(spec.get("data"), dict) else None
        if values and required <= set(values[0]):
            return values
        children = spec.values()
    elif isinstance(spec, list):
        children = spec
    else:
        return []
    return next((found for c in children if (found := find_rows(c, required))), [])


@pytest.mark.parametrize("indicator", list(CARDS))
def test_trend_chart_plots_the_indicator_values(built, indicator):
    specs = embedded(built["html"], "greentrack-specs")
    plotted = find_rows(specs[f"trend_{indicator}"], {"period", "value"})
    rows = table_rows(
        built["database"],
        "select period, value from metrics.indicator_values where indicator_id = ? "
        "order by period_end",
        [indicator],
    )
    assert [(r["period"], r["value"]) for r in plotted] == [(r["period"], r["value"]) for r in rows]


def test_overview_chart_carries_each_targets_numbers(built):
    overview = json.dumps(embedded(built["html"], "greentrack-specs")["overview_targets"],
                          ensure_ascii=False)  # fmt: skip
    for card in CARDS.values():
        assert f"最新 latest {card['latest_value']} ({card['latest_period']})" in overview
        assert f"差距 gap {card['gap_pp']}" in overview
        assert f"数据截至 as of {card['as_of']}" in overview
    assert "期限时 at deadline 91.4%" in overview
    assert "还需 to close 20 辆" in overview


def titles(spec) -> list[str]:
    """Every chart, axis, legend and tooltip title in a spec."""
    found = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "title" and isinstance(value, str):
                found.append(value)
            elif key == "title" and isinstance(value, dict):
                found += [value["text"]] if isinstance(value.get("text"), str) else []
            else:
                found += titles(value)
    elif isinstance(spec, list):
        for item in spec:
            found += titles(item)
    return found


def test_every_title_and_axis_is_chinese_with_english_beside(built):
    specs = embedded(built["html"], "greentrack-specs")
    all_titles = [t for spec in specs.values() for t in titles(spec)]
    assert len(all_titles) > 60
    assert [t for t in all_titles if not (CJK.search(t) and LATIN.search(t))] == []
    headings = built["page"].texts["h2"] + built["page"].texts["th"]
    assert [h for h in headings if not (CJK.search(h) and LATIN.search(h))] == []


def test_nothing_loads_from_the_network(built):
    attributes = built["page"].attributes
    links = [a.get("src") or a.get("href") for _, a in attributes if a.get("src") or a.get("href")]
    remote = [u for u in links if urlsplit(u).scheme or urlsplit(u).netloc]
    assert remote == []  # anchors and files published beside the page only
    assert [t for t, a in attributes if t == "script" and "src" in a] == []
    assert [t for t, _ in attributes if t in ("link", "iframe", "img")] == []
    assert "@import" not in built["html"] and "url(" not in built["html"].split("<script")[0]
    assert "vegaEmbed" in built["html"]  # the bundle is inlined


def test_every_chart_is_exported_as_png_and_svg(built):
    exports = built["report"].index.parent / "exports"
    charts = embedded(built["html"], "greentrack-numbers")["charts"]
    assert len(charts) == 18
    for chart in charts:
        assert (exports / f"{chart}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (exports / f"{chart}.svg").read_text(encoding="utf-8").startswith("<svg")
    svg = (exports / "trend_bus_clean_share.svg").read_text(encoding="utf-8")
    assert "新能源和清洁能源公交车辆占比" in svg and "Noto Sans CJK SC" in svg


def test_absent_optional_tables_leave_visible_notes(built):
    notes = built["page"].texts["p"]
    for table in ("metrics.gtfs_indicator_values", "marts.fct_gtfs_feed_service_daily",
                  "quality.validation_results"):  # fmt: skip
        assert any(f"{table} absent" in n for n in notes), table


def test_freshness_table_names_each_source_newest_file(built):
    cells = built["page"].texts["td"]
    assert "公交车辆台账 bus ledger" in cells and "bus_fleet/bus_fleet_20260131.xlsx" in cells
    assert "missing required column 营运区域" in cells


def test_same_tables_give_the_same_page(built, tmp_path):
    """Nothing on the page depends on the clock or the machine."""
    with duckdb.connect(str(built["database"]), read_only=True) as con:
        again = build_site(con, tmp_path / "again", Words("zh"), export_images=False)
    assert again.index.read_text(encoding="utf-8") == built["html"]


def test_carbon_section_follows_the_targets(built):
    ids = re.findall(r'<section id="([^"]+)">', built["html"])
    assert ids.index("carbon") == ids.index("green_travel_share") + 1
    assert {"carbon_trend", "carbon_avoided", "carbon_gap"} <= set(built["report"].chart_ids)


def test_the_page_links_the_workbook_and_parquet_files_published_with_it(built):
    links = re.findall(r'href="(exports/[^"]+\.(?:xlsx|parquet))"', built["html"])
    site = built["report"].index.parent
    assert "exports/green_transport.xlsx" in links
    assert "exports/parquet/metrics.target_gap.parquet" in links
    assert len(links) == 12  # the workbook and eleven marts/metrics tables of the fixture
    assert all((site / link).is_file() for link in links)
    assert not [name for name in built["report"].omitted if name.startswith("export green")]
