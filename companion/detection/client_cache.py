"""The client list's matchers, read back built from the start cache instead of built at every start.

Building the matchers of a 100,000-client list (reading clients.csv, normalizing every name and
contact, building the Aho-Corasick automaton) took 2.7 s of a 7.2 s start on a quiet machine; reading
them back built takes a few tenths of a second. The first start with a list builds them and writes
`<data dir>/cache/clients-<key>.pickle`; every later start with the same bytes of clients.csv, run
by the same code, reads that file (detection/start_cache.py says how files are named, written,
checked and replaced).

The key covers everything the matchers are built from: the bytes of clients.csv, the source of the
modules that parse and build them (org.py, normalize.py, orglists.py, org_matchers.py, the phone
regions' module, this one) and the versions of Python, pyahocorasick and phonenumbers. A file holds
a SHA-256 of its payload, checked before the payload is unpickled: a file cut short or damaged on
disk is rebuilt, never read. A clients.csv with an error is never cached, so every start reports
it (file, line, field) as before.

Lists under `MIN_BYTES` are built at every start: that is as quick as reading a file. On a first
start, `postguard serve` has the list built in a process of its own while it loads the rest
(detection/client_prebuild.py); `load_client_matchers` waits for it and reads its file.

A rules reload passes the matchers in use (`kept`): when clients.csv still has the bytes they were
built from (`ClientMatchers.source`, a SHA-256), they are kept as they are, OCR index included.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import platform
import time
from importlib.metadata import version
from pathlib import Path

from companion.detection.org_matchers import ClientMatchers
from companion.detection.start_cache import StartCache, digest, source_bytes

log = logging.getLogger("postguard")

MIN_BYTES = 256 * 1024  # about 10,000 clients
_MAGIC = b"postguard client matchers 1\n"


def _code_key() -> bytes:
    """What, besides the list, decides the matchers: the building code and its libraries."""
    import companion.detection.client_cache as this
    import companion.detection.normalize as normalize
    import companion.detection.org_matchers as org_matchers
    import companion.detection.orglists as orglists
    import companion.org as org

    versions = f"{platform.python_version()} {version('pyahocorasick')} {version('phonenumbers')}"
    return versions.encode() + source_bytes(this, org, normalize, orglists, org_matchers)


def load_client_matchers(csv_path: Path, cache_dir: Path | None, min_bytes: int = MIN_BYTES,
                         kept: ClientMatchers | None = None) -> ClientMatchers:
    """The matchers of `csv_path`: `kept` when it was built from these bytes; else read from
    `cache_dir` when it holds them for these bytes, else built (errors name file, line and field, as
    `companion.org.read_clients` words them) and written there for the next start."""
    try:
        raw = csv_path.read_bytes()
    except FileNotFoundError:
        raw = b""
    except OSError:
        raw = None  # read_clients says what is wrong with it
    source = hashlib.sha256(raw).hexdigest() if raw is not None else ""
    if kept is not None and source and kept.source == source:
        return kept
    matchers = _load(csv_path, raw, cache_dir, min_bytes)
    if raw is not None and _still(csv_path, raw):
        matchers.source = source
    return matchers


def cached_path(csv_path: Path, cache_dir: Path, min_bytes: int = MIN_BYTES) -> Path | None:
    """Where the start cache keeps the matchers of `csv_path` as it is now (None: too short to
    cache, or unreadable)."""
    try:
        raw = csv_path.read_bytes()
    except OSError:
        return None
    if len(raw) < min_bytes:
        return None
    return StartCache(cache_dir).path("clients", digest(_MAGIC, _code_key(), raw), ".pickle")


def _load(csv_path: Path, raw: bytes | None, cache_dir: Path | None, min_bytes: int) -> ClientMatchers:
    from companion.detection import client_prebuild
    from companion.org import read_clients

    if raw is None or len(raw) < min_bytes or cache_dir is None:
        return ClientMatchers.build(read_clients(csv_path))
    cache = StartCache(cache_dir)
    path = cache.path("clients", digest(_MAGIC, _code_key(), raw), ".pickle")
    client_prebuild.wait(csv_path)  # a first start's build beside it writes `path`
    started = time.perf_counter()
    matchers = _read(cache, path)
    if matchers is not None:
        log.info("client list: matchers read from %s in %.2f s", path, time.perf_counter() - started)
        return matchers
    matchers = ClientMatchers.build(read_clients(csv_path))
    built_s = time.perf_counter() - started
    # The list may have been replaced while it was read: then this build is not of `raw`.
    if _still(csv_path, raw):
        payload = pickle.dumps(matchers, protocol=pickle.HIGHEST_PROTOCOL)
        if cache.write(path, lambda temporary: temporary.write_bytes(
                _MAGIC + hashlib.sha256(payload).digest() + payload)):
            log.info("client list: matchers built in %.2f s and kept in %s for the next start", built_s, path)
    return matchers


def _still(path: Path, raw: bytes) -> bool:
    try:
        return path.read_bytes() == raw
    except OSError:
        return False


def _read(cache: StartCache, path: Path) -> ClientMatchers | None:
    """The matchers in `path`, or None when there is no such file or it cannot be used (then logged
    with its name and removed)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        cache.discard(path, exc.strerror or type(exc).__name__)
        return None
    head = len(_MAGIC) + 32
    if len(data) < head or not data.startswith(_MAGIC):
        cache.discard(path, "not a client matchers file")
        return None
    if hashlib.sha256(memoryview(data)[head:]).digest() != data[len(_MAGIC):head]:
        cache.discard(path, "damaged: its checksum does not match")
        return None
    try:
        matchers = pickle.loads(memoryview(data)[head:])
    except Exception as exc:  # noqa: BLE001 - unpickling raises many kinds; any of them means "build again"
        cache.discard(path, f"cannot be read back: {type(exc).__name__}")
        return None
    if not isinstance(matchers, ClientMatchers):
        cache.discard(path, "holds something else")
        return None
    return matchers
