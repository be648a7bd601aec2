"""A loopback HTTP CONNECT proxy that sends the replica hostnames to the replica server.

Firefox has no `--host-resolver-rules`. `network.dns.localDomains` maps a name to 127.0.0.1 but keeps
port 443, and the replica server listens on a random port (several runs share the machine). So Firefox
gets a PAC script (`pac_script()`) that sends only www.linkedin.com, www.facebook.com and
www.instagram.com through this proxy; the proxy answers `CONNECT <host>:443` for those names with a
tunnel to 127.0.0.1:<replica port> and refuses every other destination. TLS stays end to end between
Firefox and the replica server (the proxy only copies bytes), so SNI, the certificate and the secure
context are the same as with Chromium's resolver rules. Everything else Firefox opens goes DIRECT,
the companion on 127.0.0.1 included.
"""

from __future__ import annotations

import select
import socket
import socketserver
import threading
from typing import Iterable

_HEADER_LIMIT = 16 * 1024
_IDLE_TIMEOUT_S = 120.0


class _TunnelHandler(socketserver.BaseRequestHandler):
    """One CONNECT request, then bytes copied both ways until either side closes."""

    def handle(self) -> None:
        """Read the request head, open the tunnel for a known replica hostname, refuse the rest."""
        client: socket.socket = self.request
        head = _read_head(client)
        target = self.server.route(head)  # type: ignore[attr-defined]
        if target is None:
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        try:
            upstream = socket.create_connection(target, timeout=10)
        except OSError:
            client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        with upstream:
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            _pipe(client, upstream)


def _read_head(client: socket.socket) -> bytes:
    data = b""
    client.settimeout(10)
    while b"\r\n\r\n" not in data and len(data) < _HEADER_LIMIT:
        chunk = client.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def _pipe(a: socket.socket, b: socket.socket) -> None:
    a.settimeout(None)
    b.settimeout(None)
    sockets = [a, b]
    while True:
        readable, _, failed = select.select(sockets, [], sockets, _IDLE_TIMEOUT_S)
        if failed or not readable:
            return
        for source in readable:
            try:
                chunk = source.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            (b if source is a else a).sendall(chunk)


class _ProxyServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, hostnames: frozenset[str], upstream_port: int) -> None:
        super().__init__(("127.0.0.1", 0), _TunnelHandler)
        self.hostnames = hostnames
        self.upstream_port = upstream_port

    def route(self, head: bytes) -> tuple[str, int] | None:
        """The replica server's address for `CONNECT <replica host>:443`, else None."""
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = request_line.split()
        if len(parts) != 3 or parts[0] != "CONNECT":
            return None
        host, _, port = parts[1].rpartition(":")
        if host.lower() not in self.hostnames or port != "443":
            return None
        return ("127.0.0.1", self.upstream_port)


class ConnectProxy:
    """The proxy on 127.0.0.1 (random port) in a background thread; `start()`/`stop()` are idempotent."""

    def __init__(self, hostnames: Iterable[str], upstream_port: int) -> None:
        self._hostnames = frozenset(h.lower() for h in hostnames)
        self._upstream_port = upstream_port
        self._server: _ProxyServer | None = None

    @property
    def port(self) -> int:
        """The port the proxy listens on (valid after start())."""
        assert self._server is not None, "proxy not started"
        return self._server.server_address[1]

    def start(self) -> "ConnectProxy":
        """Listen and serve in a daemon thread."""
        if self._server is None:
            self._server = _ProxyServer(self._hostnames, self._upstream_port)
            threading.Thread(target=self._server.serve_forever, name="replica-connect-proxy", daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def pac_script(self) -> str:
        """A PAC script: the replica hostnames through this proxy, everything else direct."""
        names = ", ".join(f'"{name}"' for name in sorted(self._hostnames))
        return (f"function FindProxyForURL(url, host) {{ return [{names}].indexOf(host.toLowerCase()) >= 0 "
                f'? "PROXY 127.0.0.1:{self.port}" : "DIRECT"; }}')
