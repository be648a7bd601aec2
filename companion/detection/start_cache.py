"""Files the companion keeps between starts so that a start reads what an earlier one built.

Three things are slow to build and the same at every start until their inputs change: the matchers
of a long client list (detection/client_cache.py), the red-line encoder's weights, unzipped
(detection/semantic_model.py), and Presidio's patterns, compiled (detection/pattern_cache.py).
Each is written once to `<data dir>/cache/` under a name that
holds a SHA-256 of everything it is built from (the input files' bytes, the code and library
versions that build it), so a changed input never finds an old file: it finds none, builds, and
writes a new one, and the old ones of that kind are removed.

What is read back is checked before it is used; a file that is unreadable, cut short or damaged
is logged with its name, removed and built again. It never stops a start, and neither does a
cache directory that cannot be written (the start then builds, as without a cache).

The data dir is private to the user (0700, audit/keys.py); the cache files are 0600.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from pathlib import Path
from typing import Callable

log = logging.getLogger("postguard")
_STALE_TEMPORARY_S = 600


def digest(*parts: bytes) -> str:
    """SHA-256 (hex) over `parts`, each length-prefixed so that no two splits collide."""
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big") + part)
    return h.hexdigest()


def source_bytes(*modules) -> bytes:
    """The source files of `modules`, for a key that changes whenever the code that builds changes."""
    return b"".join(Path(m.__file__).read_bytes() for m in modules)


def start_cache_dir(data_dir: Path) -> Path:
    """`<data dir>/cache`, the data dir made private first (it also holds the audit key and log)."""
    from companion.audit.keys import prepare_data_dir

    return prepare_data_dir(data_dir) / "cache"


class StartCache:
    """One directory of cache files; `kind` names a family of files ("clients", "encoder")."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def path(self, kind: str, key: str, suffix: str) -> Path:
        return self.directory / f"{kind}-{key[:32]}{suffix}"

    def write(self, path: Path, write_to: Callable[[Path], None]) -> bool:
        """Write `path` atomically (through a temporary file that `write_to` fills), then remove the
        other files of its kind. False, after a log line naming the file, when that fails."""
        kind = path.name.split("-", 1)[0]
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_to(temporary)
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except Exception as exc:  # noqa: BLE001 - a disk full, a source that cannot be read: never a failed start
            log.warning("start cache: cannot write %s (%s); the next start builds it again", path,
                        getattr(exc, "strerror", None) or type(exc).__name__)
            _remove(temporary)
            return False
        for other in self.directory.glob(f"{kind}-*"):
            if other != path:
                _remove(other)
        # Left by a start that was killed mid-write (not one another process is writing now).
        for stale in self.directory.glob(f".{kind}-*.tmp"):
            try:
                if time.time() - stale.stat().st_mtime > _STALE_TEMPORARY_S:
                    _remove(stale)
            except OSError:
                pass
        return True

    def discard(self, path: Path, reason: str) -> None:
        """Log that `path` cannot be used and why (never its content), and remove it."""
        log.warning("start cache: %s is unusable (%s); building it again", path, reason)
        _remove(path)


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:  # removed by another start, or not ours to remove: it is only a cache
        pass
