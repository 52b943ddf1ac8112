"""Words and numbers as the bureau writes them: Chinese first with English beside, or English.

`GREENTRACK_LANG=en` gives English only; anything else (or unset) gives both languages.
Numbers use half-up rounding on the decimal text of the value, so 0.92 shows as `92.0%`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

STATUS_ORDER = ("met", "on_track", "off_track", "missed", "no_data")
STATUS_COLOURS = {
    "met": "#1a9850",
    "on_track": "#91cf60",
    "off_track": "#fc8d59",
    "missed": "#d73027",
    "no_data": "#9e9e9e",
}
STATUS_WORDS = {
    "met": ("已达标", "met"),
    "on_track": ("按趋势可达标", "on track"),
    "off_track": ("按趋势难达标", "off track"),
    "missed": ("到期未达标", "missed"),
    "no_data": ("无数据", "no data"),
}
ENERGY_CLASS_WORDS = {
    "new_energy": ("新能源", "new energy"),
    "clean_energy": ("清洁能源", "clean energy"),
    "conventional": ("传统燃料", "conventional"),
    "unknown": ("未知", "unknown"),
}
CATEGORY_WORDS = {
    "official": ("公务用车", "official"),
    "sanitation": ("环卫车辆", "sanitation"),
    "postal": ("邮政车辆", "postal"),
    "taxi": ("出租汽车", "taxi"),
}

SOURCE_WORDS = {
    "bus_fleet": ("公交车辆台账", "bus ledger"),
    "taxi_fleet": ("出租汽车名册", "taxi register"),
    "registrations": ("机动车登记", "vehicle registrations"),
    "surveys": ("居民出行调查", "travel survey"),
    "gtfs": ("公交时刻表", "GTFS timetable"),
}


def language_from_env() -> str:
    """`en` for English only, `zh` (the default) for Chinese with English beside."""
    return "en" if os.environ.get("GREENTRACK_LANG", "").strip().lower() == "en" else "zh"


def _round_half_up(value: float, places: int) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Words:
    """Every piece of text on the page goes through one of these methods."""

    lang: str = "zh"

    def text(self, zh: str, en: str) -> str:
        return en if self.lang == "en" else f"{zh} {en}"

    def lines(self, zh: str, en: str) -> list[str]:
        """Long text as lines: Chinese then English, or English alone."""
        return [en] if self.lang == "en" else [zh, en]

    def pair(self, words: tuple[str, str]) -> str:
        return self.text(*words)

    def status(self, status: str | None) -> str:
        return self.pair(STATUS_WORDS.get(status or "no_data", STATUS_WORDS["no_data"]))

    def energy_class(self, energy_class: str | None) -> str:
        key = energy_class or "unknown"
        return self.pair(ENERGY_CLASS_WORDS.get(key, (key, key)))

    def source(self, source: str) -> str:
        return self.pair(SOURCE_WORDS.get(source, (source, source)))

    def category(self, category: str) -> str:
        return self.pair(CATEGORY_WORDS.get(category, (category, category)))

    def share(self, value: float | None) -> str:
        """0.92 -> `92.0%`; missing -> `—`."""
        if value is None:
            return "—"
        return f"{_round_half_up(value * 100, 1)}%"

    def points(self, gap_pp: float | None) -> str:
        """3.4 -> `+3.4 个百分点` (English: `+3.4 pp`); positive means still short."""
        if value_missing(gap_pp):
            return "—"
        number = _round_half_up(gap_pp, 1)
        number = abs(number) if number == 0 else number  # -0.02 shows as 0.0, not -0.0
        sign = "+" if number > 0 else ""
        unit = "pp" if self.lang == "en" else "个百分点"
        return f"{sign}{number} {unit}"

    def vehicles(self, units: int | None) -> str:
        if value_missing(units):
            return "—"
        return f"{int(units)} vehicles" if self.lang == "en" else f"{int(units)} 辆"

    def date(self, value) -> str:
        return "—" if value is None else str(value)[:10]


def value_missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)
