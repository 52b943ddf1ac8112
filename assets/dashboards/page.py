"""The single HTML page: styles, sections, the inlined Vega bundle and the embedding script.

Nothing on the page loads from the network: the Vega, Vega-Lite and Vega-Embed bundle is
inlined (vl-convert's `javascript_bundle`), every chart carries its data, and the numbers
shown are also embedded as JSON (`#greentrack-numbers`) for machines.
"""

from __future__ import annotations

from assets.dashboards.fonts import FONT_STACK
from assets.dashboards.layout import Section
from assets.dashboards.markup import escape, script_json

STYLE = """
body{font-family:FONTS;margin:0;color:#263238;background:#f5f7f8}
header,main,footer{max-width:1100px;margin:0 auto;padding:0 20px}
header h1{font-size:24px;margin:20px 0 4px}
nav a{margin-right:12px;font-size:14px}
section{background:#fff;border-radius:8px;margin:16px 0;padding:12px 20px}
section h2{font-size:19px;border-bottom:2px solid #eceff1;padding-bottom:6px}
.en{color:#607d8b;font-weight:normal;font-size:.85em}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:12px}
.card{border-left:8px solid #9e9e9e;background:#fafafa;padding:8px 12px;border-radius:4px}
.card h3{font-size:15px;margin:4px 0}.card .big{font-size:26px;font-weight:bold}
.card dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;font-size:13px;margin:6px 0}
.card dt{color:#607d8b}.card dd{margin:0}
.pill{display:inline-block;border-left:8px solid #9e9e9e;padding:2px 8px;margin-right:8px;
background:#eceff1;border-radius:4px}
.status-met{border-color:#1a9850}.status-on_track{border-color:#91cf60}
.status-off_track{border-color:#fc8d59}.status-missed{border-color:#d73027}
section h3.part{font-size:15px;margin:14px 0 4px}
.status{font-weight:bold;margin:2px 0}
figure.chart{margin:12px 0}figcaption{font-size:12px;color:#607d8b}
.note{background:#fff8e1;border-left:4px solid #ffb300;padding:6px 10px;font-size:13px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{border:1px solid #cfd8dc;padding:4px 8px;text-align:left}th{background:#eceff1}
.beside{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
.beside aside{flex:1 1 300px;font-size:12px}.beside aside table{font-size:11px}
""".replace("FONTS", FONT_STACK)

EMBED = """
(async function () {
  const specs = JSON.parse(document.getElementById("greentrack-specs").textContent);
  const views = {}, failed = [];
  for (const [id, spec] of Object.entries(specs)) {
    try {
      const result = await vegaEmbed("#view-" + id, spec, {renderer: "svg", actions: false});
      views[id] = result.view;
    } catch (error) {
      failed.push(id);
      console.error("chart " + id + " failed: " + error);
    }
  }
  window.greentrackViews = views;
  window.greentrackRendered = {total: Object.keys(specs).length, failed: failed};
  document.body.dataset.rendered = failed.length ? "partial" : "all";
})();
"""


def render_section(section: Section) -> str:
    return (
        f'<section id="{escape(section.section_id)}"><h2>{escape(section.title)}</h2>'
        + "".join(section.parts)
        + "</section>"
    )


def render_page(
    title: str, lead: str, sections: list[Section], numbers: dict, bundle: str, lang: str
) -> str:
    specs = {f.chart_id: f.spec for s in sections for f in s.figures}
    nav = "".join(f'<a href="#{escape(s.section_id)}">{escape(s.title)}</a>' for s in sections)
    html_lang = "en" if lang == "en" else "zh-CN"
    return (
        f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>{escape(title)}</h1><p>{escape(lead)}</p><nav>{nav}</nav></header>"
        f"<main>{''.join(render_section(s) for s in sections)}</main>"
        '<script type="application/json" id="greentrack-numbers">'
        f"{script_json(numbers)}</script>"
        f'<script type="application/json" id="greentrack-specs">{script_json(specs)}</script>'
        f"<script>{bundle}</script><script>{EMBED}</script></body></html>"
    )
