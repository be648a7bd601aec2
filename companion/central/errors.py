"""What the central service answers when it cannot do what was asked.

    PostguardError (companion.errors)
    └── CentralError                    (400) a request the service cannot use
        ├── Unauthorized                (401) no token or session, or a wrong one
        ├── Forbidden                   (403) a revoked laptop, a reviewer on an admin page, a bad CSRF token
        ├── Conflict                    (409) a laptop id another laptop already sends, a decided request
        ├── Throttled                   (429) too many wrong passwords; carries the wait
        └── CentralUnreachable          (503) the laptop's side: the service cannot be reached or refused

Messages name what is wrong, never a password, a token, or anything from a draft. A message with
values is written as a template (`CentralError("images: a list of at most %(n)s photos", "invalid_draft",
n=10)`), so that the JSON envelope can say it in the caller's language (app.py, i18n.py).
"""

from __future__ import annotations

from companion.errors import PostguardError


class CentralError(PostguardError):
    """A request the central service cannot use as sent."""

    code = "bad_request"
    http_status = 400

    def __init__(self, message: str, code: str | None = None, **values):
        super().__init__(message % values if values else message, code)
        self.template, self.values = message, values


class Unauthorized(CentralError):
    code = "unauthorized"
    http_status = 401


class Forbidden(CentralError):
    code = "forbidden"
    http_status = 403


class Conflict(CentralError):
    code = "conflict"
    http_status = 409


class Throttled(CentralError):
    """Sign-in is paused for this account or address for `wait_s` seconds."""

    code = "throttled"
    http_status = 429

    def __init__(self, message: str, wait_s: int):
        super().__init__(message)
        self.wait_s = wait_s


class CentralUnreachable(CentralError):
    """The laptop could not get an answer from the central service (down, refused, timed out)."""

    code = "central_unreachable"
    http_status = 503
    exit_code = 3
