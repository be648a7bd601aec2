"""A door in front of the real companion that holds photo checks until the test lets them through.

A test that stops the extension's worker "in the middle of a check" must know a check is running
when it stops it. A photo's OCR takes about half a second, and a loaded machine can spend that
between two lines of the test, so the check could be over before the stop. Behind this door a
check with a photo waits until `release()`, however fast or slow the machine is; everything else
(health, decisions, text checks) goes straight through, and after `release()` so does everything.
"""

from __future__ import annotations

import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

# Hop-by-hop headers, and those the forwarding sets itself.
_NOT_FORWARDED = {"host", "connection", "keep-alive", "transfer-encoding", "content-length"}


class HeldCompanion:
    """`url` is the door; requests go on to `upstream` (the companion's base URL)."""

    def __init__(self, upstream: str, hold_for_s: float = 120.0):
        self.upstream = urlsplit(upstream)
        self.hold_for_s = hold_for_s
        self.released = threading.Event()
        self._held = threading.Condition()
        self.held_photo_checks = 0
        door = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's names)
                door._forward(self)

            do_POST = do_OPTIONS = do_GET  # noqa: N815

            def log_message(self, *_args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def wait_for_a_held_photo_check(self, timeout_s: float = 60.0) -> None:
        """Return once a check with a photo is waiting at the door (so it is surely still running)."""
        with self._held:
            if not self._held.wait_for(lambda: self.held_photo_checks > 0, timeout_s):
                raise AssertionError(f"no check with a photo reached the companion within {timeout_s:.0f} s")

    def release(self) -> None:
        """Let the held checks and every later request through."""
        self.released.set()

    def close(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()

    def _forward(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        if request.command == "POST" and request.path.startswith("/v1/check") and _has_photo(body):
            with self._held:
                self.held_photo_checks += 1
                self._held.notify_all()
            self.released.wait(self.hold_for_s)
        upstream = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=120)
        try:
            headers = {k: v for k, v in request.headers.items() if k.lower() not in _NOT_FORWARDED}
            upstream.request(request.command, request.path, body=body or None, headers=headers)
            answer = upstream.getresponse()
            payload = answer.read()
            request.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in _NOT_FORWARDED:
                    request.send_header(name, value)
            request.send_header("Content-Length", str(len(payload)))
            request.end_headers()
            request.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the worker that asked was stopped meanwhile: nobody waits for this answer
        finally:
            upstream.close()


def _has_photo(body: bytes) -> bool:
    try:
        return bool(json.loads(body or b"{}").get("images"))
    except (ValueError, AttributeError):
        return False
