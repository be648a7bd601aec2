"""Presidio's patterns, compiled at one start and read back, compiled, at the next.

Importing Presidio compiles every pattern of every recognizer it ships (the URL recognizer alone
has four patterns that list every top-level domain) with the `regex` module, whose compiler runs in
Python: a sizeable share of every start. `regex` pickles a compiled pattern as its compiled program,
and reading that back skips the compiler. So after a start the patterns `regex` compiled are written
to `<data dir>/cache/regex-<key>.pickle` (detection/start_cache.py), and the next start puts them
into `regex`'s own cache before Presidio is imported: Presidio's compile calls find them there, as
they would a pattern compiled a moment earlier in the same process.

The key holds the versions of Python and `regex` (the compiled program is `regex`'s own format).
A file that is damaged or unreadable is logged with its name and written anew after the start.
`regex`'s cache is private to it (`regex._main`: the cache, the named-list and locale tables beside
it, their lock): when a version lays it out otherwise, nothing is preloaded and the start compiles
as it always did.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import platform
from importlib.metadata import version
from pathlib import Path

from companion.detection.start_cache import StartCache, digest

log = logging.getLogger("postguard")

_MAGIC = b"postguard compiled patterns 1\n"
_TABLES = ("_cache", "_named_args", "_locale_sensitive")
_preloaded = 0  # patterns this process read from the file


def _regex_tables():
    """regex's cache tables and their lock, or None when this version of regex has no such tables."""
    try:
        from regex import _main
    except ImportError:
        return None
    if not all(isinstance(getattr(_main, name, None), dict) for name in _TABLES) or not hasattr(_main, "_cache_lock"):
        return None
    return _main


def _path(cache_dir: Path) -> Path:
    key = digest(_MAGIC, platform.python_version().encode(), version("regex").encode())
    return StartCache(cache_dir).path("regex", key, ".pickle")


def preload(cache_dir: Path) -> int:
    """Put the patterns an earlier start compiled into regex's cache; how many (0 when none)."""
    tables = _regex_tables()
    path = _path(cache_dir)
    if tables is None or not path.exists():
        return 0
    try:
        data = path.read_bytes()
        head = len(_MAGIC) + 32
        if not data.startswith(_MAGIC) or hashlib.sha256(memoryview(data)[head:]).digest() != data[len(_MAGIC):head]:
            raise ValueError("damaged: its checksum does not match")
        saved = pickle.loads(memoryview(data)[head:])
        if not (isinstance(saved, dict) and set(saved) == set(_TABLES)):
            raise ValueError("holds something else")
    except Exception as exc:  # noqa: BLE001 - unpickling raises many kinds; any of them means "compile"
        StartCache(cache_dir).discard(path, str(exc) if isinstance(exc, ValueError) else type(exc).__name__)
        return 0
    global _preloaded
    with tables._cache_lock:
        for name in _TABLES:
            table = getattr(tables, name)
            for key, value in saved[name].items():
                table.setdefault(key, value)
    _preloaded = len(saved["_cache"])
    return _preloaded


def keep(cache_dir: Path) -> None:
    """After a start: write what regex compiled, unless `preload` read all of it from the file."""
    tables = _regex_tables()
    if tables is None:
        return
    with tables._cache_lock:
        saved = {name: dict(getattr(tables, name)) for name in _TABLES}
    if len(saved["_cache"]) <= _preloaded:
        return
    try:
        payload = pickle.dumps(saved, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return  # a pattern regex cannot pickle (a named list of odd objects): compiled at every start
    StartCache(cache_dir).write(_path(cache_dir), lambda temporary: temporary.write_bytes(
        _MAGIC + hashlib.sha256(payload).digest() + payload))
