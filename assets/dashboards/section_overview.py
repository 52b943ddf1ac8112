"""The top of the page: a card per target and the bullet charts of all five."""

from __future__ import annotations

import polars as pl

from assets.dashboards import html_parts
from assets.dashboards.charts_overview import overview_chart
from assets.dashboards.labels import STATUS_ORDER, Words
from assets.dashboards.layout import Section
from assets.dashboards.markup import escape

OVERVIEW_CHART_ID = "overview_targets"


def status_counts(targets: pl.DataFrame, words: Words) -> str:
    counts = targets.group_by("status").len()
    by_status = dict(counts.iter_rows())
    parts = [
        f'<span class="pill status-{escape(s)}">{escape(words.status(s))} {by_status[s]}</span>'
        for s in STATUS_ORDER
        if by_status.get(s)
    ]
    return f'<p class="summary">{" ".join(parts)}</p>'


def overview_section(targets: pl.DataFrame, words: Words) -> Section:
    section = Section("overview", words.text("总览", "Overview"))
    section.add_html(status_counts(targets, words))
    cards = "".join(html_parts.target_card(t, words) for t in targets.iter_rows(named=True))
    section.add_html(f'<div class="cards">{cards}</div>')
    section.add_chart(
        OVERVIEW_CHART_ID,
        overview_chart(targets, words),
        words.text("五项目标进展", "Targets at a glance"),
        words,
    )
    return section
