"""`postguard serve`: the companion behind waitress, bound to loopback only."""

from __future__ import annotations

import ipaddress
import logging
import os
import sys
import threading
import time
from pathlib import Path

from companion.config import Settings
from companion.errors import ConfigError, port_taken


SERVING_FILE_NAME = "serving-url"


def record_serving_url(data_dir: Path, url: str) -> None:
    """Note, in the data dir, the address this process serves on, so `postguard audit token` can
    say where to sign in whatever port the service was given. Written atomically, 0600."""
    from companion.audit.keys import prepare_data_dir

    data_dir = prepare_data_dir(Path(data_dir))
    temporary = data_dir / f".{SERVING_FILE_NAME}.{os.getpid()}"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(url + "\n")
        os.replace(temporary, data_dir / SERVING_FILE_NAME)
    except OSError as exc:  # a convenience: never a reason not to serve
        logging.getLogger("postguard").warning("cannot note the serving address in %s (%s)", data_dir,
                                               exc.strerror)


def read_serving_url(data_dir: Path) -> str | None:
    """The address the companion (or `audit serve`) last started on with this data dir, if any."""
    try:
        url = (Path(data_dir) / SERVING_FILE_NAME).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return url if url.startswith(("http://127.", "http://localhost:", "http://[::1]:")) else None


def serving_url(host: str, port: int) -> str:
    """`http://host:port`, with an IPv6 host in brackets."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _require_loopback(host: str) -> None:
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ConfigError("the companion only listens on loopback (127.0.0.1)", field="--host")


def run_server(settings: Settings) -> None:
    """Load the engines once, then serve until stopped."""
    from waitress import create_server

    from companion.detection import client_prebuild, pattern_cache
    from companion.detection.start_cache import start_cache_dir
    from companion.memory import tune_allocator

    _require_loopback(settings.host)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Before anything is loaded: large buffers (photos' pixels, a reload's patterns) go back to
    # the system when freed instead of staying in the server threads' arenas (companion/memory.py).
    tune_allocator()
    started = time.perf_counter()
    # Before Presidio is imported (with the app): its patterns, compiled at an earlier start.
    cache_dir = start_cache_dir(settings.data_dir)
    pattern_cache.preload(cache_dir)
    # A long client list that the start cache lacks is built in another process meanwhile.
    client_prebuild.start_for(settings, cache_dir)
    from companion.app import create_app

    app = create_app(settings)
    # Waitress answers bodies over its own limit with a plain-text 413 and drops the
    # connection mid-upload (the browser sees "companion not running"). Its limit sits above
    # the app's, so an oversized check gets the app's JSON 413 envelope; waitress only
    # stops absurd bodies.
    try:
        server = create_server(app, host=settings.host, port=settings.port, threads=settings.threads,
                               ident="postguard", max_request_body_size=2 * settings.max_request_bytes)
    except OSError as exc:
        raise port_taken(settings.host, settings.port, exc, "is the companion already running?") from None
    # Warm up only once the port is ours: a companion that cannot listen exits at once, with no
    # thread still inside the matchers' native code while the interpreter shuts down.
    # No local name for the engine: this frame lives as long as the server, and a rules reload
    # must be able to free the engine it replaces (the first one included).
    threading.Thread(target=app.extensions["postguard"].engine.warm_up, name="warm-up", daemon=True).start()
    pattern_cache.keep(cache_dir)
    record_serving_url(settings.data_dir, serving_url(settings.host, settings.port))
    print(f"Postguard companion ready on http://{settings.host}:{settings.port} "
          f"(loaded in {time.perf_counter() - started:.1f} s; audit store in {settings.data_dir})",
          flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        sys.exit(0)
