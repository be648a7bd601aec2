"""The local port is an attack surface: who may talk to the companion, checked per request.

- Host must be 127.0.0.1 or localhost (with our port): a DNS-rebinding page arrives with
  its own host name and is refused.
- A request with an Origin must come from an allowed extension origin. Web pages always
  send an Origin on POST and on CORS requests; a page's no-cors GET carries
  `Sec-Fetch-Site: cross-site` instead, which is refused too. CLI tools and curl send
  neither and are allowed.
- POST bodies must be JSON, which forces a CORS preflight that only extension origins pass.
  Only `application/json` (with an optional charset) counts: `text/plain` or a `+json` type
  is a "simple" or foreign type, not the one the extension sends.

Order: who is asking (Host, Origin) first, then whether the path and method exist (404, or
405 with `Allow`), and only then the body's type, so a wrong method is never called a wrong
body.
"""

from __future__ import annotations

from typing import Callable

from flask import Request

from companion.errors import PostguardError


class Forbidden(PostguardError):
    code = "forbidden"
    http_status = 403


class UnsupportedMediaType(PostguardError):
    code = "unsupported_media_type"
    http_status = 415


_LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def _host_and_port(host: str) -> tuple[str, str]:
    """Split a Host header into name and port ("" when absent); IPv6 names keep their brackets."""
    if host.startswith("["):
        name, bracket, rest = host.partition("]")
        return name + bracket, rest[1:] if rest.startswith(":") else rest
    name, colon, port = host.rpartition(":")
    return (name, port) if colon else (host, "")


def check_host(request: Request, port: int) -> str:
    """Raise Forbidden unless Host names loopback (and our port); returns the header.

    The Host header as sent: werkzeug's `request.host` drops a default ":80", which would
    let "localhost:80" pass for our port. A DNS-rebinding page arrives with its own name.
    """
    host_header = (request.headers.get("Host") or "").strip().lower()
    name, host_port = _host_and_port(host_header)
    if name not in _LOCAL_HOSTS or (host_port and host_port != str(port)):
        raise Forbidden("requests must be addressed to 127.0.0.1 or localhost", "bad_host")
    return host_header


def check_request_source(request: Request, allowed_origins: list[str], port: int,
                         learned_origin: Callable[[str], bool] | None = None) -> None:
    """Raise Forbidden unless the request comes from loopback tooling or an allowed origin.

    `learned_origin` answers for origins known only at run time: the uuid Firefox drew for our
    add-on in this user's profiles (api/firefox_origins.py)."""
    check_host(request, port)
    origin = request.headers.get("Origin")
    if origin is not None:
        if origin not in allowed_origins and not (learned_origin and learned_origin(origin)):
            raise Forbidden("this origin may not use the companion", "bad_origin")
    elif request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
        raise Forbidden("web pages may not use the companion", "bad_origin")
    if request.routing_exception is not None:
        raise request.routing_exception  # no such path (404) or method (405 with Allow)
    if request.method == "POST" and request.mimetype != "application/json":
        raise UnsupportedMediaType("send the body as application/json")
