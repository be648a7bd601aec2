"""The per-install secret that turns matched values into correlatable, non-reversible hashes.

The audit store must let a reviewer see that the same client name or phone number showed up
in three posts without ever storing the name or number. A keyed hash (HMAC-SHA256) does that:
equal values give equal hashes under one key, and without the key nobody can test guesses
against the log. The key lives next to the database, readable by the OS user only, and is
created once: regenerating it would silently break correlation with older events.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import unicodedata
from pathlib import Path

from companion.audit.errors import AuditKeyError

KEY_FILE_NAME = "audit.key"
KEY_BYTES = 32
# "h1:" names the scheme (HMAC-SHA256, normalisation below, 128-bit truncation) so a
# future change of scheme can coexist with old events instead of silently mismatching.
HASH_PREFIX = "h1:"
HASH_HEX_CHARS = 32


def prepare_data_dir(data_dir: Path) -> Path:
    """Create the data dir if needed and make it private (0700): it holds the key and the log."""
    data_dir = Path(data_dir)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    if stat.S_IMODE(data_dir.stat().st_mode) != 0o700:
        data_dir.chmod(0o700)
    return data_dir


def load_or_create_key(data_dir: Path) -> bytes:
    """Return the install's audit key, creating it (0600, 32 random bytes) the first time.

    O_EXCL makes creation race-free when the server and the CLI start at the same moment:
    exactly one of them writes the key and the other reads it.
    """
    path = Path(data_dir) / KEY_FILE_NAME
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_existing_key(path)
    with os.fdopen(fd, "wb") as handle:
        handle.write(secrets.token_bytes(KEY_BYTES))
        handle.flush()
        os.fsync(handle.fileno())
    return _read_existing_key(path)


def _read_existing_key(path: Path) -> bytes:
    """Read the key, tightening loose permissions rather than refusing to start."""
    if stat.S_IMODE(path.stat().st_mode) != 0o600:
        path.chmod(0o600)
    key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise AuditKeyError(
            f"{path} holds {len(key)} bytes, expected {KEY_BYTES}; restore it from a backup "
            "or move it away to start a new key (old hashes will no longer correlate)"
        )
    return key


def normalize_value(value: str) -> str:
    """Fold the spellings a person would call "the same value": case, width, spacing."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    return " ".join(folded.split())


def keyed_hash(key: bytes, value: str) -> str:
    """HMAC-SHA256 of the normalised value, as "h1:" + 32 hex chars (128 bits).

    128 bits is ample for correlation inside one log and keeps rows and exports short.
    """
    digest = hmac.new(key, normalize_value(value).encode("utf-8"), hashlib.sha256)
    return HASH_PREFIX + digest.hexdigest()[:HASH_HEX_CHARS]
