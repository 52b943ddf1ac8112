"""Run-failure alerts: a structured line in a log file, and a webhook post when configured.

The line is JSON so the on-call engineer (or a log shipper) can grep it; the webhook gets the
same JSON. A webhook that is down never turns a failed night into a crashed alert.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request

from pipelines import project

WEBHOOK_ENV = "GREENTRACK_ALERT_WEBHOOK"
ALERT_LOG_NAME = "alerts.log"
log = logging.getLogger(__name__)


def alert_log_path():
    return project.warehouse_dir() / ALERT_LOG_NAME


def send_failure_alert(record: dict) -> None:
    line = json.dumps(
        {"event": "greentrack_run_failed", **record},
        ensure_ascii=False,
        default=str,
        sort_keys=True,
    )
    path = alert_log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    url = os.environ.get(WEBHOOK_ENV)
    if not url:
        return
    request = urllib.request.Request(
        url, data=line.encode("utf-8"), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
    except OSError as error:  # URLError, timeouts, refused connections
        log.warning("alert webhook %s failed: %s", url, error)
