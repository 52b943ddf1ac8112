"""Alerts: a structured line in a log file, a webhook post and chat messages when configured.

The line is JSON so the on-call engineer (or a log shipper) can grep it; the webhook gets the
same JSON. A webhook that is down never turns a failed night into a crashed alert.
"""

from __future__ import annotations

import logging
import os
import urllib.request

from pipelines import project
from pipelines.alert_messages import notify_chat
from pipelines.records import append_record, record_line

WEBHOOK_ENV = "GREENTRACK_ALERT_WEBHOOK"
ALERT_LOG_NAME = "alerts.log"
log = logging.getLogger(__name__)


def alert_log_path():
    return project.warehouse_dir() / ALERT_LOG_NAME


def send_failure_alert(record: dict) -> None:
    send_alert({"event": "greentrack_run_failed", **record})


def send_alert(alert: dict) -> None:
    """One line in alerts.log (whole or not at all; OSError when it cannot be written), then
    the webhook and the chat tools (GREENTRACK_ALERT_URLS). They are tried even when the line
    could not be written: on a full disk they are the channels left."""
    try:
        append_record(alert_log_path(), alert)
    finally:
        _post(alert)
        notify_chat(alert)


def _post(alert: dict) -> None:
    url = os.environ.get(WEBHOOK_ENV)
    if not url:
        return
    request = urllib.request.Request(
        url, data=record_line(alert), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
    except OSError as error:  # URLError, timeouts, refused connections
        log.warning("alert webhook %s failed: %s", url, error)
