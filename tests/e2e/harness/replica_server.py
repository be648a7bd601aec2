"""Threaded HTTPS server that serves each replica at its real hostname, chosen by the Host header.

Chromium reaches www.linkedin.com / www.facebook.com / www.instagram.com on 127.0.0.1 through
--host-resolver-rules, so one listening port serves all three; the Host header picks the site. Each site
gets the response headers the tests rely on, above all a Content-Security-Policy close to the real site's
(LinkedIn's requires Trusted Types), so an extension that injects scripts or HTML strings fails here as it
would there. Assets live under `/_replica/<site>/...` and `/_replica/common/...`; a site can never read
another site's folder.
"""

from __future__ import annotations

import mimetypes
import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .certs import CertificatePair

REPLICAS_DIR = Path(__file__).resolve().parent.parent / "replicas"

_BASE_CSP = (
    "default-src 'self'; script-src 'self' blob:; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self' blob:; font-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'self'"
)


@dataclass(frozen=True)
class ReplicaSite:
    """One replicated site: its folder, the page paths it serves, redirects and its CSP."""

    name: str
    hostname: str
    pages: dict[str, str]
    redirects: dict[str, str] = field(default_factory=dict)
    csp: str = _BASE_CSP

    @property
    def home_path(self) -> str:
        """The path a user lands on (the composer's page)."""
        return next(iter(self.pages))


SITES: dict[str, ReplicaSite] = {
    "linkedin": ReplicaSite(
        "linkedin", "www.linkedin.com", {"/feed/": "index.html"}, {"/": "/feed/", "/feed": "/feed/"},
        # LinkedIn enforces Trusted Types (seen 2025): no HTML strings into sinks, no script injection.
        csp="default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; "
        "media-src 'self' blob:; connect-src 'self' blob:; font-src 'self' data:; object-src 'none'; "
        "base-uri 'self'; frame-ancestors 'self'; require-trusted-types-for 'script'",
    ),
    "facebook": ReplicaSite("facebook", "www.facebook.com", {"/": "index.html"}),
    "instagram": ReplicaSite("instagram", "www.instagram.com", {"/": "index.html"}),
}
SITES_BY_HOST = {site.hostname: site for site in SITES.values()}


class _ReplicaHandler(BaseHTTPRequestHandler):
    """Serves pages and assets for the site named by the Host header; nothing else."""

    protocol_version = "HTTP/1.1"
    server_version = "replica"

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        """Answer a page, an asset, a redirect, or 404."""
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        site = SITES_BY_HOST.get(host)
        if site is None:
            self._send(200 if path == "/health" else 404, b"replica server", "text/plain")
            return
        if path in site.redirects:
            self._send(302, b"", "text/plain", extra={"Location": site.redirects[path]})
        elif path in site.pages:
            self._send_file(REPLICAS_DIR / site.name / site.pages[path], site)
        elif path.startswith("/_replica/"):
            self._send_asset(path.removeprefix("/_replica/"), site)
        elif path == "/favicon.ico":
            self._send(204, b"", "image/x-icon")
        else:
            self._send(404, b"not found", "text/plain")

    def _send_asset(self, relative: str, site: ReplicaSite) -> None:
        folder, _, rest = relative.partition("/")
        if folder not in (site.name, "common") or not rest:
            self._send(404, b"not found", "text/plain")
            return
        base = (REPLICAS_DIR / folder).resolve()
        target = (base / rest).resolve()
        if base not in target.parents or not target.is_file():
            self._send(404, b"not found", "text/plain")
            return
        self._send_file(target, site)

    def _send_file(self, target: Path, site: ReplicaSite) -> None:
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix == ".js":
            content_type = "text/javascript"
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        self._send(200, target.read_bytes(), content_type, site=site)

    def _send(self, status: int, body: bytes, content_type: str, site: ReplicaSite | None = None,
              extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if site is not None and content_type.startswith("text/html"):
            self.send_header("Content-Security-Policy", site.csp)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server signature
        """Stay quiet: request logs would drown the test output."""


class _TlsThreadingServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that does the TLS handshake in the request's own thread."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], context: ssl.SSLContext) -> None:
        super().__init__(address, _ReplicaHandler)
        self.tls_context = context

    def finish_request(self, request: socket.socket, client_address: tuple[str, int]) -> None:
        """Wrap the accepted socket here, so a slow handshake never blocks the accept loop."""
        try:
            tls_socket = self.tls_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        super().finish_request(tls_socket, client_address)


class ReplicaServer:
    """The replica HTTPS server on 127.0.0.1; `start()` picks a free port unless one is given."""

    def __init__(self, certificate: CertificatePair, port: int = 0) -> None:
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(certificate.cert_path, certificate.key_path)
        self._requested_port = port
        self._server: _TlsThreadingServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port actually listened on (valid after start())."""
        assert self._server is not None, "server not started"
        return self._server.server_address[1]

    def start(self) -> "ReplicaServer":
        """Listen and serve in a background thread; idempotent."""
        if self._server is None:
            self._server = _TlsThreadingServer(("127.0.0.1", self._requested_port), self._context)
            self._thread = threading.Thread(target=self._server.serve_forever, name="replica-https", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; idempotent."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def url(self, site: str, path: str | None = None) -> str:
        """The real-hostname URL of a replica page, e.g. url("linkedin") -> https://www.linkedin.com/feed/."""
        replica = SITES[site]
        return f"https://{replica.hostname}{path or replica.home_path}"

    def host_resolver_rules(self) -> str:
        """The --host-resolver-rules value that sends every replica hostname to this server."""
        return ", ".join(f"MAP {site.hostname} 127.0.0.1:{self.port}" for site in SITES.values())
