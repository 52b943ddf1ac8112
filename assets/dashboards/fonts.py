"""The CJK font the exported images are drawn with (vl-convert has none of its own).

Looked for, in order: `GREENTRACK_CJK_FONT_DIR`; Debian's fonts-noto-cjk and
fonts-wqy-microhei (`make system-deps`, optional, needs root); the Noto Sans CJK SC shipped
inside the `mplfonts` wheel, which requirements.lock pins, so a fresh machine without root
draws Chinese too.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

# Every family the page and the exports ask for, best first; browsers take the first they have.
FONT_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "PingFang SC",
    "Microsoft YaHei",
    "sans-serif",
)
FONT_STACK = ", ".join(f"'{family}'" if " " in family else family for family in FONT_FAMILIES)
# (directory, a font file that must be in it, the family it provides)
SYSTEM_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto", "NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    ("/usr/share/fonts/truetype/wqy", "wqy-microhei.ttc", "WenQuanYi Micro Hei"),
)


@dataclass(frozen=True)
class CjkFont:
    directory: Path
    family: str


def _package_fonts() -> CjkFont | None:
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    directory = Path(next(iter(spec.submodule_search_locations))) / "fonts"
    if (directory / "NotoSansCJKsc-Regular.otf").exists():
        return CjkFont(directory, "Noto Sans CJK SC")
    return None


def find_cjk_font() -> CjkFont | None:
    """The first CJK font directory found, or None (exports would then show boxes)."""
    override = os.environ.get("GREENTRACK_CJK_FONT_DIR")
    if override and Path(override).is_dir():
        return CjkFont(Path(override), FONT_FAMILIES[0])
    for directory, file_name, family in SYSTEM_CANDIDATES:
        if (Path(directory) / file_name).exists():
            return CjkFont(Path(directory), family)
    return _package_fonts()
