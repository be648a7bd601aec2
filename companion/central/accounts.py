"""Reviewers and admins: a local account store with argon2id password hashes, and sign-in
throttling that every instance shares through the database.

Passwords are hashed with argon2-cffi's defaults (argon2id; a hash is re-made with stronger
parameters when the library's defaults rise). A sign-in for an unknown name still verifies
against a dummy hash, so timing does not say which names exist.

Throttle (the review page's policy, kept in `postguard_signin_throttle` so it holds across
instances behind a load balancer): per account, the first 5 wrong passwords in a row are answered
at once, per client address the first 20 (an office behind one NAT shares an address); each
further one makes that account or address wait 1 s, then 2, 4 … up to 60 s. While it waits every sign-in for it is refused (429) unchecked,
the right password included. A right password clears the account's and the address's count;
so do 15 minutes without a wrong one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from companion.central.errors import CentralError, Throttled, Unauthorized

ROLES = ("reviewer", "admin")
MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024
FREE_FAILURES = {"user": 5, "addr": 20}
FIRST_WAIT_S = 1.0
MAX_WAIT_S = 60.0
FORGET_AFTER = timedelta(minutes=15)

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("postguard: no such account")


@dataclass(frozen=True)
class Account:
    """A signed-in person: name, role, and the epoch their session must carry."""

    username: str
    role: str
    session_epoch: int

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _check_new(username: str, password: str, role: str) -> None:
    if not username or len(username) > 128 or any(c.isspace() or ord(c) < 32 for c in username):
        raise CentralError("a user name is 1 to 128 characters without spaces")
    if role not in ROLES:
        raise CentralError(f"role: one of {', '.join(ROLES)}")
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise CentralError(f"a password has at least {MIN_PASSWORD_CHARS} characters")


def set_account(conn, username: str, password: str, role: str) -> bool:
    """Create the account, or give an existing one a new password and role (ending its sessions).
    Returns True when it was created."""
    _check_new(username, password, role)
    row = conn.execute(
        "INSERT INTO postguard_accounts (username, password_hash, role) VALUES (%s, %s, %s) "
        "ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role, "
        "disabled = false, session_epoch = postguard_accounts.session_epoch + 1 "
        "RETURNING (xmax = 0)", (username, _hasher.hash(password), role)).fetchone()
    return bool(row[0])


def disable_account(conn, username: str) -> bool:
    """Disable an account and end its sessions; False when there is no such account."""
    row = conn.execute("UPDATE postguard_accounts SET disabled = true, session_epoch = session_epoch + 1 "
                       "WHERE username = %s RETURNING username", (username,)).fetchone()
    return row is not None


def current_account(conn, username: str, session_epoch: int) -> Account | None:
    """The account a session names, if it still exists, is enabled and the session is not ended."""
    row = conn.execute("SELECT role, session_epoch FROM postguard_accounts WHERE username = %s "
                       "AND NOT disabled", (username,)).fetchone()
    if row is None or row[1] != session_epoch:
        return None
    return Account(username, row[0], row[1])


def sign_in(conn, username: str, password: str, client: str) -> Account:
    """The account, if the password is right and neither it nor the address is made to wait."""
    keys = (f"user:{username[:128]}", f"addr:{client}")
    wait = max(_wait_s(conn, key) for key in keys)
    if wait:
        raise Throttled(f"Too many wrong passwords: wait {wait} seconds, then sign in again", wait)
    row = conn.execute("SELECT password_hash, role, session_epoch FROM postguard_accounts "
                       "WHERE username = %s AND NOT disabled", (username,)).fetchone()
    if not _verify(row[0] if row else _DUMMY_HASH, password[:MAX_PASSWORD_CHARS]) or row is None:
        waits = [_failed(conn, key) for key in keys]
        if max(waits):
            raise Throttled(f"Too many wrong passwords: wait {max(waits)} seconds, then sign in again", max(waits))
        raise Unauthorized("That user name and password do not match", "wrong_password")
    conn.execute("DELETE FROM postguard_signin_throttle WHERE key = ANY(%s)", (list(keys),))
    if _hasher.check_needs_rehash(row[0]):
        conn.execute("UPDATE postguard_accounts SET password_hash = %s WHERE username = %s",
                     (_hasher.hash(password), username))
    return Account(username, row[1], row[2])


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _wait_s(conn, key: str) -> int:
    row = conn.execute("SELECT wait_until FROM postguard_signin_throttle WHERE key = %s", (key,)).fetchone()
    if row is None or row[0] is None:
        return 0
    left = (row[0] - datetime.now(timezone.utc)).total_seconds()
    return math.ceil(left) if left > 0 else 0


def _failed(conn, key: str) -> int:
    """Count a wrong password for `key` (atomically, across instances); the wait it starts, 0 if free."""
    now = datetime.now(timezone.utc)
    row = conn.execute(
        "INSERT INTO postguard_signin_throttle AS t (key, failures, last_failure) VALUES (%s, 1, %s) "
        "ON CONFLICT (key) DO UPDATE SET failures = CASE WHEN t.last_failure < %s THEN 1 "
        "ELSE t.failures + 1 END, last_failure = EXCLUDED.last_failure RETURNING failures",
        (key, now, now - FORGET_AFTER)).fetchone()
    over = row[0] - FREE_FAILURES[key.split(":", 1)[0]]
    if over <= 0:
        return 0
    wait = min(FIRST_WAIT_S * 2 ** min(over - 1, 32), MAX_WAIT_S)
    conn.execute("UPDATE postguard_signin_throttle SET wait_until = %s WHERE key = %s",
                 (now + timedelta(seconds=wait), key))
    return math.ceil(wait)
