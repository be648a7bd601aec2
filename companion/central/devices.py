"""Enrollment: a laptop trades an enrollment code for a token of its own.

IT makes a code (`postguard central enroll-code`) for as many laptops and days as it needs and
hands it out by policy (the companion's `central_enroll_code` setting). A laptop presents the
code once, with its host name and user, and gets a device id and a random token that only it
holds. The code can then be used up or expire without touching enrolled laptops; a lost or
retired laptop is revoked on its own (`postguard central devices revoke`, or the admin page).

Only SHA-256 hashes of codes and tokens are stored: both are 32 random bytes, so a hash is as
good as a password hash here and is checked in one indexed lookup per request.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from companion.central.errors import CentralError, Forbidden, Unauthorized

CODE_PREFIX = "pgc_"
TOKEN_PREFIX = "pgt_"
MAX_NAME_CHARS = 253


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.strip().encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Device:
    """An enrolled laptop, as a request authenticated with its token."""

    device_id: str
    host: str | None
    os_user: str | None


def create_code(conn, label: str, uses: int, days: float) -> str:
    """A new enrollment code good for `uses` laptops within `days`; returns the code (shown once)."""
    if uses < 1 or days <= 0:
        raise CentralError("an enrollment code needs at least one use and a positive number of days")
    code = CODE_PREFIX + secrets.token_urlsafe(24)
    conn.execute("INSERT INTO postguard_enroll_codes (code_hash, label, uses_left, expires_at) "
                 "VALUES (%s, %s, %s, %s)",
                 (_digest(code), label[:MAX_NAME_CHARS], uses,
                  datetime.now(timezone.utc) + timedelta(days=days)))
    return code


def enroll(conn, code: str, host: str | None, os_user: str | None) -> tuple[str, str]:
    """Spend one use of `code` and make a device; returns (device_id, token). The token is shown once."""
    if not code or not code.startswith(CODE_PREFIX):
        raise Unauthorized("not an enrollment code", "bad_enroll_code")
    with conn.transaction():
        row = conn.execute("UPDATE postguard_enroll_codes SET uses_left = uses_left - 1 "
                           "WHERE code_hash = %s AND uses_left > 0 AND expires_at > now() RETURNING label",
                           (_digest(code),)).fetchone()
        if row is None:
            raise Unauthorized("this enrollment code is unknown, used up or expired; ask IT for a new one",
                               "bad_enroll_code")
        device_id, token = str(uuid.uuid4()), TOKEN_PREFIX + secrets.token_urlsafe(32)
        conn.execute("INSERT INTO postguard_devices (device_id, token_hash, host, os_user, code_label) "
                     "VALUES (%s, %s, %s, %s, %s)",
                     (device_id, _digest(token), _short(host), _short(os_user), row[0]))
    return device_id, token


def authenticate(conn, authorization: str | None) -> Device:
    """The device whose token is in `Authorization: Bearer …`; Unauthorized or Forbidden (revoked)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        raise Unauthorized("this laptop is not enrolled (no device token)", "no_token")
    row = conn.execute("UPDATE postguard_devices SET last_seen = now() WHERE token_hash = %s "
                       "RETURNING device_id, host, os_user, revoked_at", (_digest(token),)).fetchone()
    if row is None:
        raise Unauthorized("the central service does not know this device token", "unknown_token")
    if row[3] is not None:
        raise Forbidden("this laptop's enrollment was revoked; IT can enroll it again with a new code",
                        "revoked")
    return Device(row[0], row[1], row[2])


def revoke(conn, device_id: str) -> bool:
    """Revoke a device's token at once; False when there is no such (active) device."""
    row = conn.execute("UPDATE postguard_devices SET revoked_at = now() WHERE device_id = %s "
                       "AND revoked_at IS NULL RETURNING device_id", (device_id,)).fetchone()
    return row is not None


def list_devices(conn) -> list[dict]:
    """Every enrolled laptop, newest first, with when it was last heard from."""
    rows = conn.execute("SELECT device_id, host, os_user, code_label, enrolled_at, last_seen, revoked_at "
                        "FROM postguard_devices ORDER BY enrolled_at DESC").fetchall()
    keys = ("device_id", "host", "os_user", "code_label", "enrolled_at", "last_seen", "revoked_at")
    return [dict(zip(keys, row)) for row in rows]


def _short(value: str | None) -> str | None:
    return value.replace("\x00", "")[:MAX_NAME_CHARS] if value else None
