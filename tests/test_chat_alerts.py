"""Alerts reach DingTalk, WeCom and Feishu robots through apprise, each in its own message
format, checked on a local HTTP server (127.0.0.1) standing in for the three services; stale
sources alert once a day."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import duckdb
import pytest
from apprise.plugins.dingtalk import NotifyDingTalk
from apprise.plugins.feishu import NotifyFeishu
from apprise.plugins.wecombot import NotifyWeComBot

from assets.publish.notices import alert_after_publication
from pipelines.alerts import send_failure_alert
from pipelines.records import read_records

DING_TOKEN, WECOM_KEY, FEISHU_TOKEN = "a1b2c3d4e5f6", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "f00d"


class Robot(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        url = urlparse(self.path)
        self.received.append(
            {"path": url.path, "query": parse_qs(url.query), "json": json.loads(body)}
        )
        answer = b'{"errcode": 0, "errmsg": "ok", "code": 0, "StatusCode": 0}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def robots(workspace, monkeypatch):
    Robot.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Robot)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setattr(NotifyDingTalk, "notify_url", base + "/robot/send?access_token={token}")
    monkeypatch.setattr(NotifyWeComBot, "notify_url", base + "/cgi-bin/webhook/send?key={key}")
    monkeypatch.setattr(NotifyFeishu, "notify_url", base + "/open-apis/bot/v2/hook/{token}/")
    for plugin in (NotifyDingTalk, NotifyWeComBot, NotifyFeishu):  # no pause between sends
        monkeypatch.setattr(plugin, "request_rate_per_sec", 0)
    monkeypatch.setenv(
        "GREENTRACK_ALERT_URLS",
        f"dingtalk://{DING_TOKEN}/, wecombot://{WECOM_KEY} feishu://{FEISHU_TOKEN}/",
    )
    (workspace / "warehouse").mkdir()
    yield Robot.received
    server.shutdown()
    server.server_close()


def by_service(received: list[dict]) -> dict[str, dict]:
    services = {"/robot/send": "dingtalk", "/cgi-bin/webhook/send": "wecom"}
    return {services.get(r["path"], "feishu"): r for r in received}


def test_a_failed_run_reaches_each_robot_in_its_format(robots):
    send_failure_alert({"run_id": "r7", "message": "check bus_fleet_gx_suite failed"})
    got = by_service(robots)
    assert set(got) == {"dingtalk", "wecom", "feishu"}
    ding = got["dingtalk"]
    assert ding["query"]["access_token"] == [DING_TOKEN]
    assert ding["json"]["msgtype"] == "text"
    title, body = ding["json"]["text"]["content"].split("\r\n", 1)
    assert title == "greentrack 运行失败，未发布 run failed, nothing published"
    assert body == "运行 run: r7\ncheck bus_fleet_gx_suite failed"
    wecom = got["wecom"]
    assert wecom["query"]["key"] == [WECOM_KEY]
    assert wecom["json"]["msgtype"] == "text"
    assert "运行失败" in wecom["json"]["text"]["content"]
    assert "check bus_fleet_gx_suite failed" in wecom["json"]["text"]["content"]
    assert got["feishu"]["path"] == f"/open-apis/bot/v2/hook/{FEISHU_TOKEN}/"
    assert "运行失败" in json.dumps(got["feishu"]["json"], ensure_ascii=False)


def test_without_urls_nothing_is_sent(robots, monkeypatch):
    monkeypatch.delenv("GREENTRACK_ALERT_URLS")
    send_failure_alert({"run_id": "r7"})
    assert robots == []


def _published(path, newest: dict, rejected: list[tuple[str, str]]) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema audit")
        con.execute(
            "create table audit.source_files (source varchar, file_name varchar, "
            "file_date date, status varchar, reason varchar, is_current boolean)"
        )
        for source, day in newest.items():
            con.execute(
                "insert into audit.source_files values (?, ?, ?, 'accepted', null, true)",
                [source, f"{source}/x.csv", day],
            )
        for file_name, reason in rejected:
            con.execute(
                "insert into audit.source_files values ('taxi_fleet', ?, null, 'rejected', ?, "
                "true)",
                [file_name, reason],
            )


FRESH = {
    "registrations": dt.date(2025, 11, 1),
    "bus_fleet": dt.date(2025, 11, 1),
    "taxi_fleet": dt.date(2025, 11, 1),
    "gtfs": dt.date(2025, 11, 1),
    "surveys": dt.date(2024, 12, 31),
}


def test_rejected_files_and_stale_sources_alert_and_stale_once_a_day(robots, workspace):
    published = workspace / "warehouse" / "green_transport.duckdb"
    newest = {**FRESH, "bus_fleet": dt.date(2025, 9, 1)}  # 76 days on 16 Nov: stale (> 45)
    _published(published, newest, [("taxi_fleet/t.csv", "missing required column 营运区域")])
    context = SimpleNamespace(run=SimpleNamespace(run_id="r8"), log=SimpleNamespace())
    day = dt.date(2025, 11, 16)
    alert_after_publication(context, published, day)
    alert_after_publication(context, published, day)  # a second run the same day
    alert_after_publication(context, published, day + dt.timedelta(days=1))
    alerts, _ = read_records(workspace / "warehouse" / "alerts.log")
    events = [(a["event"], a.get("day")) for a in alerts]
    assert events == [
        ("greentrack_files_rejected", None),
        ("greentrack_sources_stale", "2025-11-16"),
        ("greentrack_files_rejected", None),
        ("greentrack_files_rejected", None),
        ("greentrack_sources_stale", "2025-11-17"),
    ]
    assert [s["source"] for s in alerts[1]["sources"]] == ["bus_fleet"]
    ding = [r for r in robots if r["path"] == "/robot/send"]
    assert len(ding) == 5
    assert (
        "- taxi_fleet/t.csv: missing required column 营运区域" in ding[0]["json"]["text"]["content"]
    )
    assert "- bus_fleet: 2025-09-01, 76 天 days (允许 max 45)" in ding[1]["json"]["text"]["content"]
