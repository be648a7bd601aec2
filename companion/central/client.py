"""The laptop's side of the central service: enroll once, then send audit events and relay
approval requests with the laptop's own token.

The token lives in `central-device.json` in the data dir (0600), beside the audit log: whoever
can read it can already read the log. It is made the first time the companion needs it, from the
enrollment code IT hands out by policy (`central_enroll_code`); a token made for another service
URL is not used. Answers are JSON with the one error envelope; what the service says is passed
on (its messages never hold a draft), and a service that cannot be reached is CentralUnreachable.
`language` (an Accept-Language value: the relay passes on the extension's) asks the service to
word its errors in that language; this side's own words follow the request being served
(companion/central/i18n.py), English outside one (the CLI, the spool).
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import ssl
import urllib.error
import urllib.request
from pathlib import Path

from companion.audit.keys import prepare_data_dir
from companion.central.errors import CentralError, CentralUnreachable
from companion.central.i18n import gettext as _
from companion.errors import ConfigError

DEVICE_FILE_NAME = "central-device.json"
TIMEOUT_S = 15.0


class CentralAnswerError(CentralError):
    """The service answered with an error envelope; kept with its HTTP status and code."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message, code)
        self.http_status = status


def check_central_url(url: str) -> str:
    """`https://host[:port]` (or `http://` for loopback trials); ValueError says what is wrong."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("the central service URL is https://host[:port], e.g. https://postguard.example.com")
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the central service must be reached over https:// (plain http only on this computer)")
    if parts.query or parts.fragment or parts.username:
        raise ValueError("the central service URL is only https://host[:port][/path]")
    return url.strip().rstrip("/")


class CentralClient:
    """Calls the central service for one data dir (one laptop)."""

    def __init__(self, url: str, data_dir: Path, *, enroll_code: str | None = None, ca_file: Path | None = None,
                 timeout_s: float = TIMEOUT_S, language: str | None = None):
        self.url = check_central_url(url)
        self.data_dir = Path(data_dir)
        self.language = language
        self._enroll_code = enroll_code
        self._timeout_s = timeout_s
        try:
            self._tls = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
        except (OSError, ssl.SSLError):
            raise ConfigError("cannot use it as the central service's CA file (a PEM CA certificate)",
                              path=str(ca_file), field="setting central_ca_file") from None

    @classmethod
    def from_settings(cls, settings, language: str | None = None) -> "CentralClient":
        code = settings.central_enroll_code.get_secret_value() if settings.central_enroll_code else None
        return cls(settings.central_url, settings.data_dir, enroll_code=code, ca_file=settings.central_ca_file,
                   language=language)

    def describe(self) -> str:
        return f"central service {self.url}"

    # --- enrollment ---------------------------------------------------------------------------

    def device(self) -> dict | None:
        """{url, device_id, token} of this laptop's enrollment with this service, if any."""
        try:
            saved = json.loads((self.data_dir / DEVICE_FILE_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return saved if isinstance(saved, dict) and saved.get("url") == self.url and saved.get("token") else None

    def enroll(self, code: str, *, host: str | None = None, os_user: str | None = None) -> str:
        """Trade `code` for this laptop's token, kept 0600 in the data dir; returns the device id.
        The laptop is named by its host name and OS user unless told otherwise."""
        answer = self._call("POST", "/api/v1/enroll", {"code": code.strip(), "host": host or socket.gethostname(),
                                                        "os_user": os_user or getpass.getuser()}, token=None)
        directory = prepare_data_dir(self.data_dir)
        temporary = directory / f".{DEVICE_FILE_NAME}.{os.getpid()}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump({"url": self.url, "device_id": answer["device_id"], "token": answer["token"]}, handle)
        os.replace(temporary, directory / DEVICE_FILE_NAME)
        return answer["device_id"]

    def _token(self) -> str:
        device = self.device()
        if device is None:
            if not self._enroll_code:
                raise CentralError(_("this laptop is not enrolled with the central service and has no "
                                     "enrollment code (setting central_enroll_code)"), "not_enrolled")
            self.enroll(self._enroll_code)
            device = self.device()
        return device["token"]

    # --- calls --------------------------------------------------------------------------------

    def send_events(self, laptop_id: str, events: list[dict]) -> int:
        """One batch of audit events; returns the seq the service stored through."""
        return self._call("POST", "/api/v1/events", {"laptop_id": laptop_id, "events": list(events)})["stored_through"]

    def submit_approval(self, body: dict) -> dict:
        return self._call("POST", "/api/v1/approvals", body)

    def approval(self, request_id: str) -> dict:
        from urllib.parse import quote

        return self._call("GET", f"/api/v1/approvals/{quote(request_id, safe='')}", None)

    def _call(self, method: str, path: str, body: dict | None, *, token: str | None | bool = True) -> dict:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if self.language and len(self.language) <= 200:
            request.add_header("Accept-Language", self.language)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token is True:
            request.add_header("Authorization", f"Bearer {self._token()}")
        try:
            with urllib.request.urlopen(request, timeout=self._timeout_s, context=self._tls) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise self._refused(exc) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or type(exc).__name__
            raise CentralUnreachable(_("the central service %(url)s cannot be reached (%(reason)s)",
                                       url=self.url, reason=reason)) from None

    def _refused(self, exc: urllib.error.HTTPError) -> CentralError:
        try:
            error = json.loads(exc.read())["error"]
            return CentralAnswerError(exc.code, str(error["code"]), _("the central service %(url)s refused: "
                                                                      "%(message)s", url=self.url,
                                                                      message=error["message"]))
        except (ValueError, KeyError, TypeError, OSError):
            return CentralUnreachable(_("the central service %(url)s answered HTTP %(status)s", url=self.url,
                                        status=exc.code))
