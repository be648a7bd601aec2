"""Where an alert goes: e-mail over SMTP, a JSON webhook, or a syslog collector.

Each channel has `send(alert)` (raises `AlertDeliveryError` with a reason that names the
target, never the alert's content) and `describe()` for the settings page (no password).
"""

from __future__ import annotations

import json
import os
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from urllib.parse import urlsplit

from companion.alerts.rules import EmailSpec, SyslogSpec, WebhookSpec
from companion.audit.chain import canonical_json
from companion.audit.sinks.rfc5424 import BOM, header_field, octet_frame, sd_value

TIMEOUT_S = 10.0


class AlertDeliveryError(Exception):
    """A channel could not deliver; the message says where and why, nothing of the alert."""


class EmailChannel:
    kind = "email"

    def __init__(self, spec: EmailSpec):
        self.spec = spec
        parts = urlsplit(spec.smtp)
        self.tls = parts.scheme == "smtps"
        self.host, self.port = parts.hostname, parts.port or (465 if self.tls else 25)

    def describe(self) -> str:
        return f"{self.spec.smtp} → {', '.join(self.spec.to)}"

    def send(self, alert: dict) -> None:
        message = EmailMessage()
        message["From"] = self.spec.sender
        message["To"] = ", ".join(self.spec.to)
        message["Subject"] = f"Postguard alert: {alert['rule']} ({alert.get('person') or 'unknown person'})"
        message.set_content(alert_text(alert))
        try:
            smtp_type = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
            with smtp_type(self.host, self.port, timeout=TIMEOUT_S) as smtp:
                if self.spec.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.spec.username:
                    smtp.login(self.spec.username, os.environ.get(self.spec.password_env or "", ""))
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise AlertDeliveryError(f"e-mail via {self.spec.smtp} failed ({type(exc).__name__})") from None


class WebhookChannel:
    kind = "webhook"

    def __init__(self, spec: WebhookSpec):
        self.spec = spec
        parts = urlsplit(spec.url)
        self._shown = f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}{parts.path}"

    def describe(self) -> str:
        return self._shown  # without a query string, which may hold a secret

    def send(self, alert: dict) -> None:
        request = urllib.request.Request(self.spec.url, data=json.dumps(alert).encode("utf-8"), method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "User-Agent": "postguard-alerts"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                response.read(1024)
        except urllib.error.HTTPError as exc:
            raise AlertDeliveryError(f"webhook {self._shown} answered HTTP {exc.code}") from None
        except (OSError, urllib.error.URLError) as exc:
            raise AlertDeliveryError(f"webhook {self._shown} unreachable ({type(exc).__name__})") from None


class SyslogChannel:
    kind = "syslog"

    def __init__(self, spec: SyslogSpec):
        self.spec = spec
        parts = urlsplit(spec.target)
        self.tls, self.host, self.port = parts.scheme == "tls", parts.hostname, parts.port

    def describe(self) -> str:
        return self.spec.target

    def send(self, alert: dict) -> None:
        params = " ".join(f'{k}="{sd_value(alert.get(k) or "")}"' for k in ("rule", "person", "platform", "outcome"))
        header = f"<{13 * 8 + 4}>1 {alert['ts']} {header_field(alert.get('host'), 255)} postguard - alert"
        message = f"{header} [postguard-alert@32473 {params}] {BOM}{canonical_json(alert)}".encode("utf-8")
        try:
            with socket.create_connection((self.host, self.port), timeout=TIMEOUT_S) as raw:
                sock = ssl.create_default_context().wrap_socket(raw, server_hostname=self.host) if self.tls else raw
                sock.sendall(octet_frame(message))
        except OSError as exc:
            raise AlertDeliveryError(f"syslog {self.spec.target} failed ({type(exc).__name__})") from None


def make_channel(spec):
    """The channel for one spec of the alerts file."""
    return {"email": EmailChannel, "webhook": WebhookChannel, "syslog": SyslogChannel}[spec.kind](spec)


ALERT_LINES = (("Rule", "rule"), ("Person", "person"), ("OS account", "os_user"), ("Computer", "host"),
               ("Site", "platform"), ("Verdict", "verdict"), ("Outcome", "outcome"), ("Categories", "categories"),
               ("Rules", "rules"), ("Overrides today", "overrides_today"), ("Time (UTC)", "ts"), ("Review", "link"))


def alert_text(alert: dict) -> str:
    """The e-mail body: one line per field the alert has."""
    lines = ["A Postguard alert rule fired. The alert holds no post text; open the review page to see the post.", ""]
    for label, key in ALERT_LINES:
        value = alert.get(key)
        if value not in (None, "", []):
            lines.append(f"{label}: {', '.join(value) if isinstance(value, list) else value}")
    return "\n".join(lines) + "\n"
