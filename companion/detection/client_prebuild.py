"""A long client list's first build, in a process of its own beside the start.

The first start with a long client list (after installing the companion, or after the list
changed) built its matchers inside the companion: 2-3 s of CPU on the one core a start can use
(the GIL), on top of everything else, and the build's leftovers stayed in the companion's memory
(5.2 s to ready and 399 MB with 100,000 clients on a quiet machine, docs/performance.md). Every
later start reads them back built from the start cache (detection/client_cache.py).

So `postguard serve`, before it imports the rest, asks `start()` whether the start cache already
holds this list's matchers; when it does not, a second Python process builds them and writes
them there, on the other core, while the companion imports and loads spaCy, Presidio and the
encoder. When the companion needs the list, `wait()` waits for that process, and the list is
read from the cache as on every later start. The process reads clients.csv only; its output is
thrown away (it has no post text to print).

A build that fails (a clients.csv with an error, a cache that cannot be written) leaves no file:
the companion then builds in its own process as before, and reports a list error with its file,
line and field. Lists under `client_cache.MIN_BYTES` are not cached, so never built here.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

log = logging.getLogger("postguard")

WAIT_S = 300.0  # longer than any real build; past it, the companion builds the list itself
_running: dict[Path, subprocess.Popen] = {}
_lock = threading.Lock()


def start(csv_path: Path, cache_dir: Path) -> bool:
    """Build `csv_path`'s matchers in another process unless the start cache holds them; True
    when a build was started."""
    from companion.detection.client_cache import cached_path

    path = cached_path(csv_path, cache_dir)
    if path is None or path.exists():
        return False
    try:
        process = subprocess.Popen([sys.executable, "-m", "companion.detection.client_prebuild",
                                    str(csv_path), str(cache_dir)], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError as exc:  # no second process: the companion builds the list itself, as before
        log.info("client list: cannot build it beside the start (%s)", exc.strerror or type(exc).__name__)
        return False
    with _lock:
        _running[Path(csv_path)] = process
    return True


def start_for(settings, cache_dir: Path) -> bool:
    """`start` for the client list the companion will load with `settings` (the installed bundle's,
    unless the settings name an org dir). Anything wrong is left for the start itself to report."""
    from companion.deploy.installed import resolve_rule_dirs

    try:
        resolved, _bundle = resolve_rule_dirs(settings)
        return start(Path(resolved.org_dir) / "clients.csv", cache_dir)
    except Exception:  # noqa: BLE001 - a bad bundle or org dir: build_engine names it with its file
        return False


def wait(csv_path: Path) -> None:
    """Wait for the build `start` made of `csv_path`, if any (then its file is in the cache)."""
    with _lock:
        process = _running.pop(Path(csv_path), None)
    if process is None:
        return
    started = time.perf_counter()
    try:
        code = process.wait(WAIT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        code = process.wait()
    log.info("client list: %s beside the start (waited %.2f s for it)",
             "built by a process of its own" if code == 0 else "not built", time.perf_counter() - started)


def prepare(clients_csv: bytes, cache_dir: Path) -> Path | None:
    """Build the matchers of a client list given as its bytes into the start cache now, in this
    process (`postguard rules install`, once the bundle is in force), so that the next start finds
    them built: the file's name depends on the bytes and the building code only. None when the list
    is too short to cache or cannot be built (the start then names the error with its file, line
    and field)."""
    import tempfile

    from companion.detection.client_cache import MIN_BYTES, cached_path, load_client_matchers

    if len(clients_csv) < MIN_BYTES:
        return None
    cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".prepare-") as work:
        csv_path = Path(work) / "clients.csv"
        csv_path.write_bytes(clients_csv)
        try:
            load_client_matchers(csv_path, cache_dir)
        except Exception:  # noqa: BLE001 - a list with an error: the install refuses it, naming it
            return None
        path = cached_path(csv_path, cache_dir)
    return path if path is not None and path.exists() else None


def main(argv: list[str]) -> int:
    """The other process: build the list's matchers into the start cache; 0 when written."""
    from companion.detection.client_cache import cached_path, load_client_matchers

    csv_path, cache_dir = Path(argv[0]), Path(argv[1])
    try:
        load_client_matchers(csv_path, cache_dir)
    except Exception:  # noqa: BLE001 - the companion builds it itself and reports the error
        return 1
    path = cached_path(csv_path, cache_dir)
    return 0 if path is not None and path.exists() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
