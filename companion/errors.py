"""Postguard's exceptions: each carries its own error code, HTTP status and exit code.

    PostguardError                     code, message, http_status, exit_code
    ├── ConfigError                    a rule pack, org file or setting is wrong (names file, line, field)
    ├── RequestError                   a malformed request (400)
    │   ├── PayloadTooLarge            (413)
    │   └── ImageRejected              an image could not be decoded safely (400)
    └── NotFound                       (404)

Messages are written for the person who has to fix the problem and never contain the
user's post text or any matched value.
"""

from __future__ import annotations


class PostguardError(Exception):
    """Base class: renders itself as the one JSON error envelope."""

    code = "internal_error"
    http_status = 500
    exit_code = 1

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def to_dict(self) -> dict:
        """The error envelope shared by the HTTP API and the CLI's JSON output."""
        return {"error": {"code": self.code, "message": self.message}}


class ConfigError(PostguardError):
    """A rule pack, org file or setting that cannot be used as it is."""

    code = "config_error"
    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 field: str | None = None):
        where = ":".join(str(p) for p in (path, line) if p is not None)
        parts = [p for p in (where, field) if p]
        full = f"{' '.join(parts)}: {message}" if parts else message
        super().__init__(full)
        self.path, self.line, self.field = path, line, field


# How every server of ours (the companion, the central service, `audit serve`) says its port is
# taken; the tests that start one on a picked port look for it to go again on another.
PORT_TAKEN = "cannot listen on"


def port_taken(host: str, port: int, exc: OSError, hint: str = "") -> ConfigError:
    """The error a server exits with when it cannot listen on `host:port`."""
    return ConfigError(f"{PORT_TAKEN} {host}:{port} ({exc.strerror}){'; ' + hint if hint else ''}", field="--port")


class RequestError(PostguardError):
    """The request cannot be processed as sent."""

    code = "bad_request"
    http_status = 400


class PayloadTooLarge(RequestError):
    """The request body is bigger than the configured limit."""

    code = "payload_too_large"
    http_status = 413


class ImageRejected(RequestError):
    """An image that is corrupt, unsupported or too large to decode safely."""

    code = "bad_image"


class NotFound(PostguardError):
    """The thing asked for does not exist (an unknown scan id, say)."""

    code = "not_found"
    http_status = 404
