"""Alerts reach e-mail through apprise's mailto:// URL, checked on a tiny SMTP server on
127.0.0.1 written here (the lock has no aiosmtpd): the subject and body say what happened in
Chinese with English beside, the same words the chat robots get."""

from __future__ import annotations

import email
import email.policy
import socketserver
import threading

import pytest

from pipelines.alerts import send_alert, send_failure_alert

FROM, TO = "greentrack@bureau.example", "ops@bureau.example"


class Mailbox(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: greeting, EHLO/HELO, MAIL, RCPT, DATA, QUIT."""

    received: list[dict] = []

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode("ascii"))

    def handle(self) -> None:
        self.reply("220 mailbox ready")
        envelope: dict = {"to": []}
        while line := self.rfile.readline():
            command = line.decode("ascii").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 mailbox")
            elif verb == "MAIL":
                envelope = {"from": command.split(":", 1)[1].strip(" <>"), "to": []}
                self.reply("250 ok")
            elif verb == "RCPT":
                envelope["to"].append(command.split(":", 1)[1].strip(" <>"))
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                envelope["message"] = b"".join(lines)
                self.received.append(envelope)
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # RSET, NOOP
                self.reply("250 ok")


@pytest.fixture
def mailbox(workspace, monkeypatch):
    Mailbox.received = []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Mailbox)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    monkeypatch.setenv(
        "GREENTRACK_ALERT_URLS",
        f"mailto://127.0.0.1:{server.server_address[1]}?mode=insecure&from={FROM}&to={TO}",
    )
    (workspace / "warehouse").mkdir()
    yield Mailbox.received
    server.shutdown()
    server.server_close()


def read_mail(envelope: dict) -> tuple[str, str]:
    """(subject, plain-text body) as a mail client shows them."""
    message = email.message_from_bytes(envelope["message"], policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))
    return str(message["subject"]), body.get_content().replace("\r\n", "\n").strip()


def test_a_failed_run_is_mailed_in_chinese_and_english(mailbox):
    send_failure_alert({"run_id": "r7", "message": "check bus_fleet_gx_suite failed"})
    (envelope,) = mailbox
    assert (envelope["from"], envelope["to"]) == (FROM, [TO])
    subject, body = read_mail(envelope)
    assert subject == "greentrack 运行失败，未发布 run failed, nothing published"
    assert body == "运行 run: r7\ncheck bus_fleet_gx_suite failed"


def test_a_rejected_file_is_mailed_as_plain_text_never_as_markup(mailbox):
    """A file name is whatever arrived in the drop: the mail has no HTML part to inject into,
    and its lines stay apart (apprise reads a body of unstated format as HTML)."""
    send_alert({
        "event": "greentrack_files_rejected", "run_id": "r9",
        "files": [["taxi_fleet/<b>t</b>.csv", "missing required column 营运区域"]],
    })  # fmt: skip
    message = email.message_from_bytes(mailbox[0]["message"], policy=email.policy.default)
    assert [part.get_content_type() for part in message.walk()] == ["text/plain"]
    assert read_mail(mailbox[0]) == (
        "greentrack 有文件被拒收 files rejected",
        "运行 run: r9\n- taxi_fleet/<b>t</b>.csv: missing required column 营运区域",
    )


def test_stale_sources_are_mailed_with_their_age(mailbox):
    send_alert({
        "event": "greentrack_sources_stale", "run_id": "r8", "day": "2025-11-16",
        "sources": [
            {"source": "bus_fleet", "newest_file_date": "2025-09-01", "age_days": 76,
             "max_age_days": 45},
            {"source": "gtfs", "newest_file_date": None, "age_days": None,
             "max_age_days": 45},
        ],
    })  # fmt: skip
    subject, body = read_mail(mailbox[0])
    assert subject == "greentrack 数据源过期 sources stale"
    assert body == (
        "运行 run: r8\n"
        "- bus_fleet: 2025-09-01, 76 天 days (允许 max 45)\n"
        "- gtfs: —, 从未收到 never delivered"
    )
