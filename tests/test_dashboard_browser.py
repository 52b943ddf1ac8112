"""The page in a real browser: headless Chromium (Debian's `chromium`), network disabled.

Chromium is driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: fd 3 in,
fd 4 out), so not even a local port is opened. The test loads index.html from disk, records
every request and console message, waits until every chart view has rendered, moves a
what-if slider, and saves a full-page screenshot to test-artifacts/dashboard.png.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from assets.dashboards.labels import Words
from assets.dashboards.site import build_site
from tests.test_dashboard_fixtures import build_warehouse

REPO_ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
    "--remote-debugging-pipe", "--window-size=1280,900",
]  # fmt: skip

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium not installed (Debian: apt-get install -y chromium; .ci/run does this)",
)


class DevTools:
    """A minimal DevTools-protocol client over Chromium's debugging pipe."""

    def __init__(self, user_data_dir: Path):
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire_fds():  # runs in the child: put the pipe ends on fds 3 and 4
            high_in = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            high_out = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={user_data_dir}", "about:blank"],
            pass_fds=(3, 4),  # kept open past the child's fd clean-up (wired in wire_fds)
            preexec_fn=wire_fds,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer, self._next_id, self.events = b"", 0, []

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select(
                [self._from_chrome], [], [], max(0.0, deadline - time.time())
            )
            if not ready:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the debugging pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict:  # fmt: skip
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, timeout: float = 30.0) -> dict:
        deadline = time.time() + timeout
        while True:
            for event in self.events:
                if event.get("method") == method:
                    return event
            self.events.append(self._read_message(deadline))

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self._to_chrome)
        os.close(self._from_chrome)


class Page:
    def __init__(self, tools: DevTools):
        self.tools = tools
        target = tools.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        attached = tools.call("Target.attachToTarget", {"targetId": target, "flatten": True})
        self.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.call(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False},
        )

    def call(self, method: str, params: dict | None = None, timeout: float = 30.0) -> dict:
        return self.tools.call(method, params, self.session, timeout)

    def evaluate(self, expression: str):
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.2)
        raise TimeoutError(f"never true: {expression}")

    def screenshot(self, path: Path):
        size = self.call("Page.getLayoutMetrics")["cssContentSize"]
        shot = self.call(
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": True,
             "clip": {"x": 0, "y": 0, "width": 1280, "height": size["height"], "scale": 1}},
            timeout=60,
        )  # fmt: skip
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    with duckdb.connect(str(build_warehouse(root / "fixture.duckdb")), read_only=True) as con:
        build_site(con, root / "site", Words("zh"), export_images=False)
    return root / "site" / "index.html"


@pytest.fixture(scope="module")
def loaded(site: Path, tmp_path_factory):
    """The page loaded in Chromium, every chart rendered; yields (page, devtools)."""
    tools = DevTools(tmp_path_factory.mktemp("chromium-profile"))
    try:
        page = Page(tools)
        page.call("Page.navigate", {"url": site.as_uri()})
        tools.wait_event("Page.loadEventFired", timeout=60)
        page.wait_for("window.greentrackRendered !== undefined", timeout=90)
        yield page, tools
    finally:
        tools.close()


def test_every_chart_view_rendered(loaded):
    page, _ = loaded
    rendered = page.evaluate("window.greentrackRendered")
    views = page.evaluate(
        "Array.from(document.querySelectorAll('.view')).map(v => "
        "[v.dataset.chart, v.querySelectorAll('svg.marks path, svg.marks text').length])"
    )
    assert rendered["failed"] == []
    assert rendered["total"] == len(views) == 18
    assert [chart for chart, marks in views if marks == 0] == []


def test_no_console_errors_or_warnings(loaded):
    _, tools = loaded
    errors = [
        e for e in tools.events
        if (e.get("method") == "Runtime.consoleAPICalled"
            and e["params"]["type"] in ("error", "warning"))
        or e.get("method") == "Runtime.exceptionThrown"
        or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
    ]  # fmt: skip
    assert errors == []


def test_nothing_but_the_page_is_requested(loaded, site: Path):
    _, tools = loaded
    urls = [
        e["params"]["request"]["url"]
        for e in tools.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert [u for u in urls if u != site.as_uri() and not u.startswith("data:")] == []


def test_slider_moves_the_month_the_target_is_crossed(loaded):
    """Taxis: 20 vehicles to close from 2025-10; 1 a month crosses in 2027-06, 20 in 2025-11;
    the header also shows the CO2 saved in the next 12 months at that pace."""
    page, _ = loaded
    view = "#view-trend_urban_taxi_nev_share"
    text = f"document.querySelector('{view} svg').textContent"
    # CO2 in the next 12 months at 9.5 t a year per taxi: pace 1 gives 1 + 2 + … + 12 = 78
    # taxi-months (61.75 t), pace 20 gives 12 × 20 = 240 (190 t)
    for pace, month, tonnes in [(1, "2027-06", "62"), (20, "2025-11", "190")]:
        page.evaluate(
            f"(() => {{ const s = document.querySelector('{view} input[type=range]');"
            f"s.value = {pace}; s.dispatchEvent(new Event('input')); return true; }})()"
        )
        page.wait_for(f"{text}.includes('预计 {month} 达标')", timeout=10)
        page.wait_for(f"{text}.includes('未来12个月减排约 {tonnes} 吨CO2')", timeout=10)


def test_screenshot_saved(loaded):
    page, _ = loaded
    path = ARTIFACTS / "dashboard.png"
    page.screenshot(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
