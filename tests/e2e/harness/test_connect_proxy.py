"""The loopback CONNECT proxy that Firefox's PAC script uses: it tunnels only the replica hostnames on
port 443 to the replica server, with TLS end to end, and refuses every other destination."""

from __future__ import annotations

import socket
import ssl

import pytest

from harness.certs import REPLICA_HOSTNAMES
from harness.connect_proxy import ConnectProxy


@pytest.fixture(scope="module")
def tunnel(replica_server):
    proxy = ConnectProxy(REPLICA_HOSTNAMES, replica_server.port).start()
    yield proxy
    proxy.stop()


def connect(proxy: ConnectProxy, target: str) -> tuple[socket.socket, bytes]:
    sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
    sock.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1024)
        if not chunk:
            break
        head += chunk
    return sock, head


def test_a_replica_hostname_is_tunnelled_to_the_replica_server_with_tls_end_to_end(tunnel):
    sock, head = connect(tunnel, "www.instagram.com:443")
    assert head.startswith(b"HTTP/1.1 200")
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the replicas' self-signed certificate (Firefox accepts it by capability)
    with context.wrap_socket(sock, server_hostname="www.instagram.com") as tls:
        tls.sendall(b"GET / HTTP/1.1\r\nHost: www.instagram.com\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := tls.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200") and b"Content-Security-Policy" in answer, "the replica itself answered"


@pytest.mark.parametrize("target", ["example.com:443", "www.linkedin.com:80", "127.0.0.1:7717", "www.linkedin.com"])
def test_anything_else_is_refused(tunnel, target):
    sock, head = connect(tunnel, target)
    sock.close()
    assert head.startswith(b"HTTP/1.1 403")


def test_the_pac_script_sends_only_the_replica_hostnames_to_the_proxy(tunnel):
    script = tunnel.pac_script()
    assert f"PROXY 127.0.0.1:{tunnel.port}" in script and '"DIRECT"' in script
    assert all(f'"{name}"' in script for name in REPLICA_HOSTNAMES)

