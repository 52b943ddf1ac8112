"""PNG and SVG of every chart, drawn by vl-convert with a CJK font so Chinese is readable."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import altair as alt
import vl_convert

from assets.dashboards.fonts import CjkFont, find_cjk_font

PNG_SCALE = 2.0


def vega_lite_version() -> str:
    """The Vega-Lite version Altair writes (e.g. `6.4`), used for the bundle and exports."""
    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    return f"{major}.{minor}"


@cache
def register_cjk_font() -> CjkFont | None:
    """Registers the CJK font directory with vl-convert once per process."""
    font = find_cjk_font()
    if font is not None:
        vl_convert.register_font_directory(str(font.directory))
    return font


@cache
def javascript_bundle() -> str:
    return vl_convert.javascript_bundle(vl_version=vega_lite_version())


def to_png(spec: dict, scale: float = PNG_SCALE) -> bytes:
    register_cjk_font()
    return vl_convert.vegalite_to_png(spec, vl_version=vega_lite_version(), scale=scale)


def to_svg(spec: dict) -> str:
    register_cjk_font()
    return vl_convert.vegalite_to_svg(spec, vl_version=vega_lite_version())


def svg_to_png(svg: str, scale: float = PNG_SCALE) -> bytes:
    register_cjk_font()
    return vl_convert.svg_to_png(svg, scale=scale)


def export_chart(spec: dict, directory: Path, chart_id: str) -> tuple[Path, Path]:
    """Vega runs once per chart: its SVG is rasterised into the PNG, which is byte for byte
    what `vegalite_to_png` draws (it renders the same SVG with the same fonts) in a fraction
    of the time (the exports were 11 of the site's 12 s; tests/test_dashboard_units.py)."""
    directory.mkdir(parents=True, exist_ok=True)
    png, svg = directory / f"{chart_id}.png", directory / f"{chart_id}.svg"
    drawing = to_svg(spec)
    svg.write_text(drawing, encoding="utf-8")
    png.write_bytes(svg_to_png(drawing))
    return png, svg
