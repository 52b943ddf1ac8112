"""Names that hold markup cannot break the page: JSON in <script> and HTML text are escaped."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

import duckdb
import polars as pl
import pytest

from assets.dashboards.labels import Words
from assets.dashboards.markup import escape, script_json
from assets.dashboards.site import build_site
from tests.conftest import REPO_ROOT
from tests.test_dashboard_fixtures import TABLES, build_warehouse

HOSTILE = [
    "</script><!--<script>alert(1)</script>",
    "x<!--<script",
    "a & b > c",
    "line\u2028sep\u2029para",
    'it\'s "quoted"',
]
FEED = "x<!--<script"  # a GTFS feed name can hold this: `x<!--<script_20250101.zip`
REJECTED = "taxi_fleet/taxi_fleet_</b><!--<script>_20251130.csv"
REASON = "</script><!--<script>alert(1)</script>"


@pytest.mark.parametrize("text", HOSTILE)
def test_script_json_reads_back_the_same_and_holds_no_markup_character(text):
    encoded = script_json({"name": text, "list": [text]})
    assert json.loads(encoded) == {"name": text, "list": [text]}
    assert not set(encoded) & {"<", ">", "&", "\u2028", "\u2029"}


def test_script_json_writes_the_escapes_javascript_reads():
    assert script_json("</script>&") == '"\\u003c/script\\u003e\\u0026"'
    assert script_json("中文") == '"中文"'


def test_escape_covers_text_and_attribute_values():
    assert escape('<a href="x">it\'s & </a>') == (
        "&lt;a href=&quot;x&quot;&gt;it&#x27;s &amp; &lt;/a&gt;"
    )
    assert escape(None) == ""


def _hostile_tables() -> dict:
    versions = pl.DataFrame(
        {
            "feed_version": ["v1"],
            "feed_name": [FEED],
            "file_date": [dt.date(2025, 1, 1)],
            "status": ["accepted"],
            "is_newest": [True],
        }
    )
    daily = pl.DataFrame(
        {
            "feed_version": ["v1", "v1"],
            "feed_name": [FEED, FEED],
            "day_type": ["weekday", "sunday"],
            "trips": [100, 60],
            "bus_km": [1500.0, 900.0],
            "service_hours": [80.0, 50.0],
        }
    )
    files = TABLES["audit.source_files"]().with_columns(
        pl.when(pl.col("status") == "rejected")
        .then(pl.lit(REJECTED))
        .otherwise(pl.col("file_name"))
        .alias("file_name"),
        pl.when(pl.col("status") == "rejected")
        .then(pl.lit(REASON))
        .otherwise(pl.col("reason"))
        .alias("reason"),
    )
    quarantine = TABLES["quality.quarantine"]().with_columns(pl.lit(REASON).alias("reason"))
    return {
        **TABLES,
        "marts.dim_gtfs_feed_version": lambda: versions,
        "marts.fct_gtfs_feed_service_daily": lambda: daily,
        "audit.source_files": lambda: files,
        "quality.quarantine": lambda: quarantine,
    }


class Scripts(HTMLParser):
    """The text of every <script>, as the HTML tokenizer splits it."""

    def __init__(self):
        super().__init__()
        self.scripts: list[tuple[dict, str]] = []
        self.text: list[str] = []
        self._in_script: dict | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        else:
            self.text.append(data)


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    database = build_warehouse(root / "fixture.duckdb", _hostile_tables())
    with duckdb.connect(str(database), read_only=True) as con:
        report = build_site(con, root / "site", Words("zh"), export_images=False)
    return report.index.read_text(encoding="utf-8")


def test_the_page_keeps_its_four_scripts_whole_and_their_json_parses(hostile_page):
    page = Scripts()
    page.feed(hostile_page)
    ids = [attrs.get("id") for attrs, _ in page.scripts]
    assert ids == ["greentrack-numbers", "greentrack-specs", None, None]
    for _, text in page.scripts[:2]:
        # no `<` at all: neither `</script` nor `<!--<script` can occur in the element
        assert "<" not in text
        json.loads(text)
    specs = json.loads(page.scripts[1][1])
    assert "supply_service" in specs
    feeds = {row["feed_name"] for row in specs["supply_service"]["data"]["values"]}
    assert feeds == {FEED}
    # every script element of the page ends where the page meant it to: raw `</script` only
    # closes our own four elements
    assert len(re.findall(r"</script", hostile_page, re.IGNORECASE)) == 4


def test_hostile_names_and_reasons_show_as_text(hostile_page):
    page = Scripts()
    page.feed(hostile_page)
    shown = "".join(page.text)
    assert REJECTED in shown and REASON in shown
    assert "<!--" not in hostile_page


def test_only_the_markup_module_escapes_for_the_page():
    """Every page module escapes through assets.dashboards.markup: a module that imports
    `html` itself (or writes JSON into the page by hand) would bypass it."""
    folder = REPO_ROOT / "assets" / "dashboards"
    modules = [*sorted(folder.glob("*.py")), REPO_ROOT / "assets" / "quality" / "data_docs.py"]
    bypassing = [
        path.name
        for path in modules
        if path.name != "markup.py"
        and re.search(r"^\s*(import html\b|from html import)", path.read_text(), re.MULTILINE)
    ]
    assert bypassing == []
    page = (folder / "page.py").read_text(encoding="utf-8")
    assert "json.dumps" not in page and page.count("script_json(") == 2
