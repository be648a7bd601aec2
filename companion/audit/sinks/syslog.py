"""Forwarding audit events to a SIEM as RFC 5424 syslog over TCP or TLS.

Plain TCP gives no application acknowledgement: a successful `send()` only means the
bytes reached our own kernel. A collector that stops can drop whatever sits unread in
its socket. So each batch goes over its own connection and is confirmed by how the
collector closes it:

1. connect (and TLS handshake), send every octet-counted frame;
2. half-close our side (TCP FIN, or TLS close_notify): "that was everything";
3. wait for the collector to close its side. It does that only after it has read our
   last byte (EOF comes after all data). A collector that closes with data still unread
   sends a TCP reset instead (Linux, BSD and Windows all do);
4. also make sure every byte we sent was acknowledged. A collector that was already
   closing when we connected answers our data with a reset, which can arrive just after
   its FIN.

A clean close with everything acknowledged means the collector process read the whole batch.
A reset, a timeout or any error means the batch stays spooled and is sent again. If the
collector reset while part of the batch was already read, that part arrives twice (at-least-once).
The `laptop_id`/`seq`/`event_id` structured data lets the collector drop those copies.
"""

from __future__ import annotations

import logging
import os
import socket
import ssl
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence
from urllib.parse import urlsplit

from companion.audit.sinks.base import SinkUnavailable
from companion.audit.sinks.rfc5424 import format_message, octet_frame
from companion.errors import ConfigError

log = logging.getLogger("postguard.forward")

SCHEMES = ("tcp", "tls")
_SIOCOUTQ = 0x5411  # Linux: bytes sent but not yet acknowledged by the peer
_RESET_WAIT_MIN_S = 0.05


@dataclass(frozen=True)
class SyslogTarget:
    """Where the collector listens: tcp://host:port or tls://host:port."""

    scheme: str
    host: str
    port: int

    def describe(self) -> str:
        """The target as written in the setting (it holds no secret)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def parse_syslog_target(url: str) -> SyslogTarget:
    """Parse `tcp://host:port` or `tls://host:port`; ValueError says what is wrong."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not a syslog target ({exc}); expected tcp://host:port or tls://host:port") from None
    if parts.scheme not in SCHEMES:
        raise ValueError("the scheme must be tcp:// or tls:// (UDP would lose events silently)")
    if not parts.hostname:
        raise ValueError("the syslog target has no host; expected tcp://host:port or tls://host:port")
    if port is None:
        raise ValueError("the syslog target needs a port, e.g. tcp://siem.example.com:514 or "
                         "tls://siem.example.com:6514")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValueError("the syslog target is only scheme://host:port")
    return SyslogTarget(parts.scheme, parts.hostname, port)


def tls_context(ca_file: Path | None, cert_file: Path | None = None,
                key_file: Path | None = None) -> ssl.SSLContext:
    """Verify the collector's certificate and name, against `ca_file` or the system's CAs; show it
    `cert_file` (mutual TLS) when the collector asks for a client certificate."""
    try:
        context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"cannot use it as the syslog CA file: {_tls_file_reason(exc, 'a PEM CA certificate')}",
                          path=str(ca_file), field="setting syslog_ca_file") from None
    if cert_file:
        for path, field in ((cert_file, "syslog_cert_file"), (key_file, "syslog_key_file")):
            try:
                if path:
                    Path(path).read_bytes()  # OpenSSL's own error would not say which file is missing
            except OSError as exc:
                raise ConfigError(f"cannot read it: {exc.strerror or type(exc).__name__}", path=str(path),
                                  field=f"setting {field}") from None
        try:
            context.load_cert_chain(str(cert_file), str(key_file) if key_file else None)
        except (OSError, ssl.SSLError):
            raise ConfigError("cannot use it as the syslog client certificate: not a PEM certificate with "
                              "its matching private key" + (f" ({key_file})" if key_file else ""),
                              path=str(cert_file), field="setting syslog_cert_file") from None
    return context


def _tls_file_reason(exc: BaseException, expected: str) -> str:
    """The OS's reason (missing, unreadable), or what the file should have been."""
    if isinstance(exc, OSError) and not isinstance(exc, ssl.SSLError) and exc.strerror:
        return exc.strerror
    return f"not {expected}"


class SyslogSink:
    """Sends batches to one syslog collector, one confirmed connection per batch."""

    name = "syslog"

    def __init__(self, target: SyslogTarget, *, ca_file: Path | None = None, cert_file: Path | None = None,
                 key_file: Path | None = None, connect_timeout_s: float = 5.0, ack_timeout_s: float = 10.0):
        """Check the TLS settings now, so a bad CA or client certificate stops the companion at start."""
        self.target = target
        self._tls = tls_context(ca_file, cert_file, key_file) if target.scheme == "tls" else None
        self._connect_timeout_s = connect_timeout_s
        self._ack_timeout_s = ack_timeout_s
        self._warned_open_collector = False

    def describe(self) -> str:
        """E.g. `syslog tls://siem.example.com:6514`."""
        return f"syslog {self.target.describe()}"

    def deliver(self, events: Sequence[dict], laptop_id: str) -> None:
        """Send the batch and return only once the collector has read all of it."""
        payload = b"".join(octet_frame(format_message(e, laptop_id=laptop_id)) for e in events)
        started = time.monotonic()
        sock = self._connect()
        try:
            rtt = time.monotonic() - started
            sock.settimeout(self._ack_timeout_s)
            sent_at = time.monotonic()
            sock.sendall(payload)
            self._half_close_and_wait(sock)
            self._check_all_acknowledged(sock, sent_at, rtt)
        except (OSError, ssl.SSLError) as exc:
            raise self._unavailable("did not confirm the batch", exc) from None
        finally:
            sock.close()

    def _connect(self) -> socket.socket:
        """A fresh TCP (and TLS) connection to the collector."""
        try:
            sock = socket.create_connection((self.target.host, self.target.port),
                                            timeout=self._connect_timeout_s)
        except OSError as exc:
            raise self._unavailable("is unreachable", exc) from None
        if self._tls is None:
            return sock
        try:
            return self._tls.wrap_socket(sock, server_hostname=self.target.host)
        except ssl.SSLCertVerificationError as exc:
            sock.close()
            raise SinkUnavailable(f"syslog collector {self.target.describe()} presented a certificate "
                                  f"that is not trusted ({exc.verify_message}); check syslog_ca_file") from None
        except (OSError, ssl.SSLError) as exc:
            sock.close()
            raise self._unavailable("failed the TLS handshake", exc) from None

    def _half_close_and_wait(self, sock: socket.socket) -> None:
        """Say "that was all" and wait for the collector to close after reading it."""
        try:
            if isinstance(sock, ssl.SSLSocket):
                self._tls_close(sock)
            else:
                sock.shutdown(socket.SHUT_WR)
                while sock.recv(4096):  # a collector has nothing to say; drain until EOF
                    pass
        except socket.timeout:
            self._collector_kept_connection_open()

    @staticmethod
    def _tls_close(sock: ssl.SSLSocket) -> None:
        """close_notify, then the collector's close_notify or its TCP close."""
        try:
            sock.unwrap()
        except ssl.SSLEOFError:
            pass  # rsyslog closes TCP without answering close_notify: still after reading all
        except ssl.SSLZeroReturnError:
            pass

    def _collector_kept_connection_open(self) -> None:
        """Some collectors never close; then TCP's acknowledgement is all we can check."""
        if not self._warned_open_collector:
            self._warned_open_collector = True
            log.warning("%s keeps connections open after the last message; delivery is "
                        "confirmed by TCP acknowledgement only", self.describe())

    def _check_all_acknowledged(self, sock: socket.socket, sent_at: float, rtt: float) -> None:
        """Raise if the collector reset, or never acknowledged some of our bytes."""
        deadline = time.monotonic() + self._ack_timeout_s
        while (unacked := _unacknowledged_bytes(sock)) not in (0, None):
            _raise_socket_error(sock)
            if time.monotonic() > deadline:
                raise TimeoutError("bytes still unacknowledged")
            time.sleep(0.005)
        if unacked is None:  # not Linux: leave time for a reset to come back, then look
            time.sleep(max(0.0, sent_at + max(3 * rtt, _RESET_WAIT_MIN_S) - time.monotonic()))
        _raise_socket_error(sock)

    def _unavailable(self, what: str, exc: BaseException) -> SinkUnavailable:
        """A SinkUnavailable naming the collector and the OS or TLS reason."""
        reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return SinkUnavailable(f"syslog collector {self.target.describe()} {what} ({reason})")

    def close(self) -> None:
        """Nothing is held between batches."""


def _raise_socket_error(sock: socket.socket) -> None:
    """Raise the error a reset left on the socket, if any."""
    error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if error:
        raise OSError(error, os.strerror(error))


def _unacknowledged_bytes(sock: socket.socket) -> int | None:
    """Bytes (FIN included) the peer has not acknowledged, or None where the OS cannot say."""
    if sys.platform != "linux":
        return None
    try:
        import fcntl
        import struct

        return struct.unpack("i", fcntl.ioctl(sock.fileno(), _SIOCOUTQ, b"\0" * 4))[0]
    except (ImportError, OSError):
        return None
