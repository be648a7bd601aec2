"""Who may load the review page, and the headers that keep other origins out of it.

The /v1 guard (companion/api/security.py) admits extension origins and JSON bodies only.
The review page is a page of its own, so its rules differ in one respect: it accepts its
*own* origin (a login form on http://127.0.0.1:7717 posts with that Origin) and plain
form posts. Everything else is as strict:

- Host must be loopback with our port (DNS rebinding);
- an Origin other than the page's own is refused (see `_own_origin` for the "null" a
  same-origin form post carries under no-referrer), and so is a request without Origin that
  a browser marks `Sec-Fetch-Site: cross-site` or `same-site` (another page's link, image,
  script or form; "same-site" includes other ports on 127.0.0.1);
- POST bodies must be form-encoded (login, logout), judged after routing so a wrong method
  is a 405 with `Allow`; cookies are SameSite=Strict.

Responses carry a CSP that allows only the page's own script, style and images, forbids
framing, and sends no referrer; `Cross-Origin-Resource-Policy: same-origin` stops another
page from even embedding an export.
"""

from __future__ import annotations

from flask import Request, Response

# The parsing the /v1 guard uses, so both agree on what a loopback Host looks like.
from companion.api.security import Forbidden, UnsupportedMediaType, check_host

CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                           "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def check_review_request(request: Request, port: int) -> None:
    """Raise Forbidden unless the request is addressed to us and comes from the page itself."""
    host_header = check_host(request, port)
    origin = request.headers.get("Origin")
    if origin is not None:
        if not _own_origin(origin.lower(), f"{request.scheme}://{host_header}",
                           request.headers.get("Sec-Fetch-Site")):
            raise Forbidden("the review page only answers its own pages", "bad_origin")
    elif request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
        raise Forbidden("open the review page by typing its address; other pages may not load it",
                        "bad_origin")
    if request.routing_exception is not None:
        raise request.routing_exception  # a wrong method is a 405 with Allow, not a wrong body
    if request.method == "POST" and request.mimetype not in _FORM_TYPES:
        raise UnsupportedMediaType("send the login form as a form post")


def _own_origin(origin: str, own: str, fetch_site: str | None) -> bool:
    """Whether a request's Origin says it came from the review page itself.

    Our pages send `Referrer-Policy: no-referrer`, and under that policy browsers send
    `Origin: null` on a same-origin form POST (Fetch standard, "serializing a request
    origin"). Such a null is accepted only with `Sec-Fetch-Site: same-origin`, a header
    pages cannot set; a null from a sandboxed frame or another site never carries it.
    """
    if origin == own:
        return True
    return origin == "null" and fetch_site == "same-origin"


def add_security_headers(response: Response) -> Response:
    """Put the review page's security headers on every response it sends, errors included."""
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response
