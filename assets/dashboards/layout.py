"""What a page is made of: sections holding HTML, charts (Vega-Lite dicts) and notes."""

from __future__ import annotations

from dataclasses import dataclass, field

import altair as alt

from assets.dashboards import html_parts, theme
from assets.dashboards.labels import Words


@dataclass(frozen=True)
class Figure:
    chart_id: str
    spec: dict
    caption: str


@dataclass
class Section:
    section_id: str
    title: str
    parts: list[str] = field(default_factory=list)  # HTML, in page order
    figures: list[Figure] = field(default_factory=list)

    def add_chart(self, chart_id: str, chart: alt.TopLevelMixin, caption: str, words: Words):
        self.figures.append(Figure(chart_id, theme.finish(chart), caption))
        self.parts.append(html_parts.figure(chart_id, caption, words))

    def add_html(self, html: str):
        self.parts.append(html)

    def add_note(self, text: str):
        self.parts.append(html_parts.note(text))


def omitted(words: Words, what: tuple[str, str], why: str) -> str:
    """The visible note left where a part of the page could not be drawn."""
    return words.text(f"此部分暂缺：{what[0]}", f"Not shown: {what[1]}") + f" ({why})"
