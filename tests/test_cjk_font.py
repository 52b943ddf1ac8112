"""Chinese in exported images without root: the locked `mplfonts` wheel ships Noto Sans CJK SC,
which fonts.find_cjk_font falls back to on a machine with no system CJK font."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from assets.dashboards import fonts

TITLE = "太仓绿色交通"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def fresh_machine(monkeypatch):
    """No Debian CJK font package and no override: only what the lock installs."""
    monkeypatch.setattr(fonts, "SYSTEM_CANDIDATES", ())
    monkeypatch.delenv("GREENTRACK_CJK_FONT_DIR", raising=False)


def test_a_fresh_machine_finds_the_font_of_the_locked_package(fresh_machine):
    font = fonts.find_cjk_font()
    assert font is not None and font.family == "Noto Sans CJK SC"
    assert "mplfonts" in font.directory.parts
    assert (font.directory / "NotoSansCJKsc-Regular.otf").is_file()


def draw(text: str, font: ImageFont.FreeTypeFont) -> Image.Image:
    image = Image.new("L", (40 * len(text), 48), 255)
    ImageDraw.Draw(image).text((2, 2), text, font=font, fill=0)
    return image


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_a_chinese_title_differs_from_the_same_title_without_a_cjk_font(fresh_machine):
    cjk = ImageFont.truetype(str(fonts.find_cjk_font().directory / "NotoSansCJKsc-Regular.otf"), 32)
    latin_only = ImageFont.load_default(size=32)  # Pillow's own font: no CJK glyph
    assert png(draw(TITLE, cjk)) != png(draw(TITLE, latin_only))
    # without CJK glyphs every character is the same "missing" box; with them, they differ
    assert ImageChops.difference(draw("太", latin_only), draw("仓", latin_only)).getbbox() is None
    assert ImageChops.difference(draw("太", cjk), draw("仓", cjk)).getbbox() is not None


NO_SYSTEM_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{empty}</dir><cachedir>{empty}/cache</cachedir></fontconfig>
"""


def chinese_titled_chart(title: str) -> dict:
    """A chart as the dashboard makes it: Altair, finished with the page's theme (its font
    stack asks for the CJK families first)."""
    import altair as alt
    import polars as pl

    from assets.dashboards import theme

    frame = pl.DataFrame({"月": ["2025-09", "2025-10"], "占比": [0.81, 0.87]})
    chart = alt.Chart(frame).mark_bar().encode(x="月:N", y="占比:Q").properties(title=title)
    return theme.finish(chart)


@pytest.mark.slow
def test_exported_png_of_a_chinese_title_differs_from_one_drawn_without_a_cjk_font(tmp_path):
    """The export path (exports.export_chart, vl-convert) in a process that sees no system
    font (FONTCONFIG_FILE names an empty font directory; vl-convert keeps only its own Latin
    font): once with no CJK font found, once with the one the lookup finds in the venv."""
    from assets.dashboards import exports

    empty = tmp_path / "no-fonts"
    empty.mkdir()
    config = tmp_path / "fonts.conf"
    config.write_text(NO_SYSTEM_FONTS.format(empty=empty), encoding="utf-8")
    charts = {"title": chinese_titled_chart(TITLE), "tai": chinese_titled_chart("太"),
              "cang": chinese_titled_chart("仓")}  # fmt: skip
    job = tmp_path / "job.json"
    job.write_text(
        json.dumps({"charts": charts, "vl_version": exports.vega_lite_version()}),
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "GREENTRACK_CJK_FONT_DIR"}
    env["FONTCONFIG_FILE"] = str(config)
    done = subprocess.run(
        [sys.executable, "-m", "tests.cjk_render_job", str(job), str(tmp_path / "out")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert "mplfonts" in Path(json.loads(done.stdout)["font_directory"]).parts

    def png(kind: str, chart_id: str) -> bytes:
        return (tmp_path / "out" / kind / f"{chart_id}.png").read_bytes()

    assert png("with_cjk_font", "title")[:8] == b"\x89PNG\r\n\x1a\n"
    assert png("with_cjk_font", "title") != png("without_cjk_font", "title")
    # the comparison is honest: without a CJK font every character is the same box, so two
    # titles of one different character draw the same image; with the font they do not
    assert png("without_cjk_font", "tai") == png("without_cjk_font", "cang")
    assert png("with_cjk_font", "tai") != png("with_cjk_font", "cang")
