"""PNG and SVG of every chart, drawn by vl-convert with a CJK font so Chinese is readable.

vl-convert runs one chart at a time per process (two threads took as long as one), so
`export_charts` shares the charts out to worker processes, one per core up to two. This
module imports no Altair at load, so a worker starts with vl-convert and nothing heavier.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from functools import cache
from pathlib import Path

import vl_convert

from assets.dashboards.fonts import CjkFont, find_cjk_font

LOG = logging.getLogger(__name__)
PNG_SCALE = 2.0
EXPORT_WORKERS = 2
WORKER_TIMEOUT_SECONDS = 600


@cache
def vega_lite_version() -> str:
    """The Vega-Lite version Altair writes (e.g. `6.4`), used for the bundle and exports."""
    import altair as alt

    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    return f"{major}.{minor}"


@cache
def register_cjk_font() -> CjkFont | None:
    """Registers the CJK font directory with vl-convert once per process."""
    font = find_cjk_font()
    if font is not None:
        vl_convert.register_font_directory(str(font.directory))
    return font


def javascript_bundle(cache_dir: Path | None = None) -> str:
    """The Vega bundle the page inlines (it must open offline).

    vl-convert builds the same text for the same vl-convert and Vega-Lite
    versions, so with `cache_dir` it is kept there under a name holding both versions and
    written by rename (a killed run leaves no half file behind)."""
    version = vega_lite_version()
    if cache_dir is None:
        return _built_bundle(version)
    path = cache_dir / f"vega-bundle-vlconvert{vl_convert.__version__}-vl{version}.js"
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    bundle = _built_bundle(version)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_text(bundle, encoding="utf-8")
        partial.replace(path)
    except OSError:
        pass  # an unwritable cache costs time, not the page
    return bundle


@cache
def _built_bundle(vl_version: str) -> str:
    return vl_convert.javascript_bundle(vl_version=vl_version)


def to_png(spec: dict, scale: float = PNG_SCALE) -> bytes:
    register_cjk_font()
    return vl_convert.vegalite_to_png(spec, vl_version=vega_lite_version(), scale=scale)


def to_svg(spec: dict, vl_version: str | None = None) -> str:
    register_cjk_font()
    return vl_convert.vegalite_to_svg(spec, vl_version=vl_version or vega_lite_version())


def svg_to_png(svg: str, scale: float = PNG_SCALE) -> bytes:
    register_cjk_font()
    return vl_convert.svg_to_png(svg, scale=scale)


def export_chart(
    spec: dict, directory: Path, chart_id: str, vl_version: str | None = None
) -> tuple[Path, Path]:
    """Vega runs once per chart: its SVG is rasterised into the PNG, which is byte for byte
    what `vegalite_to_png` draws (it renders the same SVG with the same fonts) without
    running Vega a second time (tests/test_dashboard_units.py)."""
    directory.mkdir(parents=True, exist_ok=True)
    png, svg = directory / f"{chart_id}.png", directory / f"{chart_id}.svg"
    drawing = to_svg(spec, vl_version)
    svg.write_text(drawing, encoding="utf-8")
    png.write_bytes(svg_to_png(drawing))
    return png, svg


def export_or_error(spec: dict, directory: Path, chart_id: str, vl_version: str) -> str | None:
    """One chart: None when drawn, else the error as text (a missing image must not fail
    the run)."""
    try:
        export_chart(spec, directory, chart_id, vl_version)
    except Exception as error:  # noqa: BLE001
        return f"{type(error).__name__}: {error}"
    return None


def export_workers(charts: int) -> int:
    """Worker processes for `charts` exports: one per core, at most EXPORT_WORKERS, and none
    (draw in this process) for a single chart or a single core, where a worker only adds
    its start-up (Python, then vl-convert's JavaScript runtime)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = min(EXPORT_WORKERS, cores or 1, charts)
    return workers if workers > 1 else 0


def _export_in_workers(
    specs: dict[str, dict], directory: Path, vl_version: str, workers: int
) -> dict[str, str | None]:
    """Chart id → error (None when drawn) for the charts the worker processes finished.

    Every worker gets every chart and draws those it claims first (export_worker), so a
    worker that drew a quick chart takes the next one: the charts' drawing times
    follow neither their order nor their size.

    Workers are separate interpreters (`python -m assets.dashboards.export_worker`), not
    multiprocessing children: spawn and forkserver import the caller's main module again,
    which runs any script that lacks a `__main__` guard, and fork copies a process holding
    DuckDB and Dagster threads."""
    finished: dict[str, str | None] = {}
    with tempfile.TemporaryDirectory(prefix="greentrack-exports-") as scratch:
        job = Path(scratch) / "charts.json"
        job.write_text(
            json.dumps({"directory": str(directory), "vl_version": vl_version,
                        "claims": scratch, "charts": specs}),
            encoding="utf-8",
        )  # fmt: skip
        command = [sys.executable, "-m", "assets.dashboards.export_worker", str(job)]
        children = [
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(workers)
        ]
        deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS  # for all workers together
        for child in children:
            try:
                out, err = child.communicate(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.communicate()
                LOG.warning("a chart export worker ran over %d s", WORKER_TIMEOUT_SECONDS)
                continue
            try:
                finished |= json.loads(out)
            except ValueError:
                tail = err.decode("utf-8", "replace").strip().splitlines()[-1:]
                LOG.warning("a chart export worker exited %s: %s", child.returncode, tail)
    return finished


def export_charts(specs: dict[str, dict], directory: Path) -> dict[str, str]:
    """Draws the PNG and SVG of every chart into `directory`; returns chart id → error for
    the charts that could not be drawn.

    The charts are shared out to worker processes (export_workers); whatever a worker did
    not finish, because it could not start, crashed or hung, is drawn here, one by one."""
    version = vega_lite_version()
    directory.mkdir(parents=True, exist_ok=True)
    finished: dict[str, str | None] = {}
    workers = export_workers(len(specs))
    if workers:
        try:
            finished = _export_in_workers(specs, directory, version, workers)
        except (OSError, ValueError) as error:  # e.g. no process slots, or a spec not JSON
            LOG.warning("chart export workers did not start: %s", error)
    for chart_id, spec in specs.items():
        if chart_id not in finished:
            finished[chart_id] = export_or_error(spec, directory, chart_id, version)
    return {chart_id: error for chart_id, error in finished.items() if error is not None}
