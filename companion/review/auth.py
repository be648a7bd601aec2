"""The admin token that opens the review page, and the session cookie a login sets.

The token is 32 random bytes (URL-safe text) in `admin-token` in the data dir, readable by
the OS user only (0600, dir 0700): whoever can read it can already read the audit
database, so the page gives no one more than they have. `postguard audit token` creates
it once and prints it; `--rotate` replaces it, which also ends every open session.

The cookie never holds the token. It holds an expiry and an HMAC of that expiry keyed by
a hash of the token, so it is worthless after rotation or expiry and reveals nothing.
Comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import time
from pathlib import Path

from companion.audit.keys import prepare_data_dir
from companion.errors import ConfigError

TOKEN_FILE_NAME = "admin-token"
TOKEN_BYTES = 32
MIN_TOKEN_CHARS = 32
SESSION_COOKIE = "postguard_review"
SESSION_TTL_S = 8 * 3600
_SESSION_CONTEXT = b"postguard review session v1:"


def token_path(data_dir: Path) -> Path:
    """Where the admin token of this data dir lives."""
    return Path(data_dir) / TOKEN_FILE_NAME


def read_admin_token(path: Path) -> str | None:
    """The stored token, or None when none was created yet.

    A file too short to be one of ours is an error naming the file, never a weak token.
    """
    try:
        if stat.S_IMODE(path.stat().st_mode) != 0o600:
            path.chmod(0o600)
        token = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the admin token ({exc.__class__.__name__}); "
                          "replace it with `postguard audit token --rotate`", path=str(path)) from None
    if len(token) < MIN_TOKEN_CHARS:
        raise ConfigError("this is not an admin token made by Postguard; "
                          "replace it with `postguard audit token --rotate`", path=str(path))
    return token


def _write_new_token(path: Path) -> str:
    """Write a fresh token to a private temporary file and move it into place atomically."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(token + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return token


def admin_token(data_dir: Path, *, rotate: bool = False) -> tuple[str, bool]:
    """The data dir's admin token and whether it was made just now (first use or rotation)."""
    path = token_path(prepare_data_dir(Path(data_dir)))
    if not rotate:
        existing = read_admin_token(path)
        if existing is not None:
            return existing, False
    return _write_new_token(path), True


def token_matches(given: str, expected: str | None) -> bool:
    """Whether the typed token is the admin token, in time independent of where they differ."""
    if expected is None:
        return False
    given_digest = hashlib.sha256(given.strip().encode("utf-8")).digest()
    return hmac.compare_digest(given_digest, hashlib.sha256(expected.encode("utf-8")).digest())


def _session_mac(token: str, expires: int) -> str:
    key = hashlib.sha256(_SESSION_CONTEXT + token.encode("utf-8")).digest()
    return hmac.new(key, str(expires).encode("ascii"), hashlib.sha256).hexdigest()


def new_session(token: str, *, now: float | None = None, ttl_s: int = SESSION_TTL_S) -> str:
    """A cookie value valid for `ttl_s` seconds while the token stays the same."""
    expires = int((now if now is not None else time.time()) + ttl_s)
    return f"{expires}.{_session_mac(token, expires)}"


def session_is_valid(cookie: str | None, token: str | None, *, now: float | None = None) -> bool:
    """Whether `cookie` came from a login with the current token and has not expired."""
    if not cookie or token is None:
        return False
    expires_text, _, mac = cookie.partition(".")
    if not expires_text.isdigit() or len(expires_text) > 12:
        return False
    expires = int(expires_text)
    if expires <= (now if now is not None else time.time()):
        return False
    return hmac.compare_digest(mac.encode("ascii", "replace"), _session_mac(token, expires).encode("ascii"))
