"""Alerts as people read them in DingTalk, WeCom, Feishu or e-mail: a title and a few lines,
Chinese with English beside, built from the same alert record alerts.log holds.

Sent through apprise to every URL of GREENTRACK_ALERT_URLS (`dingtalk://token/`,
`wecombot://key`, `feishu://token/`, `mailtos://user:pass@host?to=…`, separated by spaces or
commas); apprise builds each service's own message format. A chat tool that is down costs a
warning, never the run. URLs hold their tokens, so only their scheme is ever logged.
"""

from __future__ import annotations

import logging
import os
import re

URLS_ENV = "GREENTRACK_ALERT_URLS"
MAX_LINES = 20
TITLES = {
    "greentrack_run_failed": "greentrack 运行失败，未发布 run failed, nothing published",
    "greentrack_files_rejected": "greentrack 有文件被拒收 files rejected",
    "greentrack_sources_stale": "greentrack 数据源过期 sources stale",
    "greentrack_pseudonym_key_changed": "greentrack 假名密钥已更换 pseudonym key changed",
}
log = logging.getLogger(__name__)


def alert_urls() -> list[str]:
    return [u for u in re.split(r"[\s,]+", os.environ.get(URLS_ENV, "")) if u]


def alert_text(alert: dict) -> tuple[str, str]:
    """(title, body) of an alert record."""
    event = str(alert.get("event", "greentrack_alert"))
    title = TITLES.get(event, f"greentrack {event}")
    lines = [f"运行 run: {alert['run_id']}"] if alert.get("run_id") else []
    for file_name, reason in alert.get("files", [])[:MAX_LINES]:
        lines.append(f"- {file_name}: {reason}")
    for source in alert.get("sources", [])[:MAX_LINES]:
        age = "从未收到 never delivered" if source.get("age_days") is None else (
            f"{source['age_days']} 天 days (允许 max {source['max_age_days']})"
        )  # fmt: skip
        lines.append(f"- {source['source']}: {source.get('newest_file_date') or '—'}, {age}")
    if alert.get("message"):
        lines.append(str(alert["message"])[:1500])
    return title, "\n".join(lines) or title


def notify_chat(alert: dict) -> bool | None:
    """Sends the alert to every configured URL; None when none is configured, else whether
    every one took it. Never raises."""
    urls = alert_urls()
    if not urls:
        return None
    try:
        import apprise

        sender = apprise.Apprise()
        for url in urls:
            if not sender.add(url):
                log.warning("GREENTRACK_ALERT_URLS: not a URL apprise knows (%s://…)",
                            url.split("://", 1)[0])  # fmt: skip
        if len(sender) == 0:
            return False
        title, body = alert_text(alert)
        # TEXT: apprise then converts for each service (e-mail's HTML part escapes the
        # file names and keeps the lines apart); without it the body is taken as HTML
        sent = bool(sender.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT))
    except Exception as error:  # noqa: BLE001 - a chat tool must never fail the run
        log.warning("alert to the chat tools failed: %s", type(error).__name__)
        return False
    if not sent:
        log.warning("an alert could not be delivered to every URL of GREENTRACK_ALERT_URLS")
    return sent
