"""`python -m tests.cjk_render_job JOB.json OUT_DIR`: draws the job's charts through
exports.export_chart twice, first with no CJK font found, then with the font
fonts.find_cjk_font finds on a machine without Debian's CJK font packages (the mplfonts
font inside the venv). Prints the directory of the font that was registered, as JSON.

A separate process because vl-convert's font database is per process and only grows:
the test process has the system fonts loaded. The test starts this with FONTCONFIG_FILE
naming a config whose only font directory is empty, so vl-convert sees no system font.
"""

import json
import sys
from pathlib import Path

from assets.dashboards import exports, fonts


def draw_all(charts: dict[str, dict], directory: Path, vl_version: str) -> None:
    for chart_id, spec in charts.items():
        exports.export_chart(spec, directory, chart_id, vl_version)


def main(job_path: str, out_dir: str) -> int:
    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    out = Path(out_dir)
    fonts.SYSTEM_CANDIDATES = ()  # no fonts-noto-cjk, no fonts-wqy-microhei
    package_fonts = fonts._package_fonts
    fonts._package_fonts = lambda: None  # and no mplfonts: no CJK font at all
    assert exports.register_cjk_font() is None
    draw_all(job["charts"], out / "without_cjk_font", job["vl_version"])
    fonts._package_fonts = package_fonts
    exports.register_cjk_font.cache_clear()
    font = exports.register_cjk_font()
    draw_all(job["charts"], out / "with_cjk_font", job["vl_version"])
    json.dump({"font_directory": str(font.directory) if font else None}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
