"""Chinese in exported images without root: the locked `mplfonts` wheel ships Noto Sans CJK SC,
which fonts.find_cjk_font falls back to on a machine with no system CJK font."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from assets.dashboards import fonts

TITLE = "太仓绿色交通"


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
