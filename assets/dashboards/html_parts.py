"""Small HTML pieces: target cards, tables, figures, notes. Every value is escaped here.

Each number on a card carries `data-indicator` and `data-field`, so tests (and anyone
scraping the page) can read the shown text back and compare it with metrics.target_gap.
"""

from __future__ import annotations

from datetime import date

from assets.dashboards.labels import Words, value_missing
from assets.dashboards.markup import escape


def deadline_passed(target: dict) -> bool:
    as_of, deadline = target.get("as_of"), target.get("deadline")
    return isinstance(as_of, date) and isinstance(deadline, date) and as_of > deadline


def shown_fields(target: dict, words: Words) -> dict[str, str]:
    """The text the card shows for each field of metrics.target_gap."""
    shown = {
        "status": words.status(target.get("status")),
        "latest_value": words.share(target.get("latest_value")),
        "latest_period": target.get("latest_period") or "—",
        "target_value": words.share(target.get("target_value")),
        "deadline": words.date(target.get("deadline")),
        "gap_pp": words.points(target.get("gap_pp")),
        "as_of": words.date(target.get("as_of")),
    }
    if not value_missing(target.get("units_to_close")):
        shown["units_to_close"] = words.vehicles(target["units_to_close"])
    if deadline_passed(target) or not value_missing(target.get("value_at_deadline")):
        shown["value_at_deadline"] = words.share(target.get("value_at_deadline"))
    if not value_missing(target.get("projected_at_deadline")):
        shown["projected_at_deadline"] = words.share(target["projected_at_deadline"])
    return shown


FIELD_WORDS = {
    "gap_pp": ("差距（正值=未达）", "gap (+ = short)"),
    "units_to_close": ("还需替换/新增电动", "vehicles to close"),
    "projected_at_deadline": ("趋势外推至期限", "projected at deadline"),
    "deadline": ("期限", "deadline"),
    "latest_period": ("最新期", "latest period"),
    "as_of": ("数据截至", "as of"),
}


def _field(indicator: str, field: str, text: str) -> str:
    where = f'data-indicator="{escape(indicator)}" data-field="{escape(field)}"'
    return f"<span {where}>{escape(text)}</span>"


def target_card(target: dict, words: Words) -> str:
    indicator, shown = target["indicator_id"], shown_fields(target, words)
    status = escape(target.get("status") or "no_data")
    name = escape(target["name_en"] if words.lang == "en" else target["name_zh"])
    english = "" if words.lang == "en" else f'<span class="en">{escape(target["name_en"])}</span>'
    value_line = [
        f'<span class="big">{_field(indicator, "latest_value", shown["latest_value"])}</span>',
        f"{escape(words.text('目标', 'target'))} "
        + _field(indicator, "target_value", shown["target_value"]),
    ]
    if "value_at_deadline" in shown:
        value_line.insert(
            1,
            f"{escape(words.text('期限时', 'at deadline'))} "
            + _field(indicator, "value_at_deadline", shown["value_at_deadline"]),
        )
    rows = "".join(
        f"<dt>{escape(words.pair(FIELD_WORDS[f]))}</dt><dd>{_field(indicator, f, shown[f])}</dd>"
        for f in FIELD_WORDS
        if f in shown
    )
    return (
        f'<article class="card status-{status}" data-indicator="{escape(indicator)}">'
        f"<h3>{name} {english}</h3>"
        f'<p class="status">{_field(indicator, "status", shown["status"])}</p>'
        f'<p class="values">{" · ".join(value_line)}</p><dl>{rows}</dl></article>'
    )


def table(headers: list[str], rows: list[list], css_class: str = "") -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape('—' if v is None else str(v))}</td>" for v in row) + "</tr>"
        for row in rows
    )
    return (
        f'<table class="{escape(css_class)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def figure(chart_id: str, caption: str, words: Words) -> str:
    chart = escape(chart_id)
    links = (
        f'<a href="exports/{chart}.png" download>PNG</a> · '
        f'<a href="exports/{chart}.svg" download>SVG</a>'
    )
    return (
        f'<figure class="chart" id="fig-{chart}">'
        f'<div class="view" id="view-{chart}" data-chart="{chart}"></div>'
        f"<figcaption>{escape(caption)} · {escape(words.text('导出图片', 'export'))}: {links}"
        "</figcaption></figure>"
    )


def note(text: str) -> str:
    return f'<p class="note" role="note">{escape(text)}</p>'


def heading(text: str) -> str:
    return f'<h3 class="part">{escape(text)}</h3>'
