"""Managed (enterprise) policy for the extension, the way IT deploys it: a JSON file Chromium reads.

Chromium on Linux reads /etc/chromium/policies/managed/*.json; values for an extension sit under
`3rdparty` → `extensions` → <extension id> and reach it as `chrome.storage.managed` (checked on
Chromium 156: at start-up, and after chrome://policy → "Reload policies").

That directory is machine-wide: every Chromium started meanwhile — another test run on the same machine
included — sees the file. So writing a policy takes an exclusive lock, and every browser the harness
starts holds a shared lock for its lifetime (except browsers started by the process that owns the
exclusive lock, which are the ones meant to see the policy).
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .chromium import EXTENSION_ID

POLICY_DIR = Path("/etc/chromium/policies/managed")
LOCK_PATH = Path("/tmp/postguard-e2e-chromium-policy.lock")
LOCK_TIMEOUT_S = 600.0

_held_exclusive = False
_shared_held = 0


def _acquire(mode: int, timeout_s: float) -> int:
    descriptor = os.open(LOCK_PATH, os.O_RDWR | os.O_CREAT, 0o666)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            fcntl.flock(descriptor, mode | fcntl.LOCK_NB)
            return descriptor
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(descriptor)
                raise TimeoutError(f"another test run holds {LOCK_PATH} for longer than {timeout_s:.0f}s")
            time.sleep(0.2)


def _release(descriptor: int) -> None:
    fcntl.flock(descriptor, fcntl.LOCK_UN)
    os.close(descriptor)


@contextmanager
def browser_policy_guard(timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold a shared lock while a browser runs, so no other run's policy file leaks into it."""
    if _held_exclusive:
        yield
        return
    global _shared_held
    descriptor = _acquire(fcntl.LOCK_SH, timeout_s)
    _shared_held += 1
    try:
        yield
    finally:
        _shared_held -= 1
        _release(descriptor)


def policy_document(values: dict, extension_id: str = EXTENSION_ID) -> dict:
    """The JSON document Chromium expects for one extension's managed storage values."""
    return {"3rdparty": {"extensions": {extension_id: values}}}


class ManagedPolicy:
    """Owns one policy file: `write()` (re)writes it, `remove()` deletes it and frees the lock."""

    def __init__(self, name: str = "postguard-e2e", extension_id: str = EXTENSION_ID,
                 timeout_s: float = LOCK_TIMEOUT_S) -> None:
        self.path = POLICY_DIR / f"{name}-{os.getpid()}.json"
        self.extension_id = extension_id
        self._timeout_s = timeout_s
        self._descriptor: int | None = None

    def write(self, values: dict) -> Path:
        """Write (or replace) the values; the first call takes the machine-wide exclusive lock."""
        global _held_exclusive
        if self._descriptor is None:
            if _shared_held:
                raise RuntimeError("write the managed policy before starting a browser in this test")
            self._descriptor = _acquire(fcntl.LOCK_EX, self._timeout_s)
            _held_exclusive = True
        POLICY_DIR.mkdir(parents=True, exist_ok=True)
        temporary = POLICY_DIR.parent / f".{self.path.stem}.tmp"  # outside the directory Chromium reads
        temporary.write_text(json.dumps(policy_document(values, self.extension_id), indent=1))
        temporary.replace(self.path)
        return self.path

    def remove(self) -> None:
        """Delete the file and release the lock; idempotent."""
        global _held_exclusive
        self.path.unlink(missing_ok=True)
        (POLICY_DIR.parent / f".{self.path.stem}.tmp").unlink(missing_ok=True)
        if self._descriptor is not None:
            _release(self._descriptor)
            self._descriptor = None
            _held_exclusive = False
