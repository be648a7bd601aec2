"""Who is signed in, and the CSRF token every form carries.

The session is Flask's signed cookie under `session.key` (shared by every instance, so any
instance reads any session): `HttpOnly`, `SameSite=Strict`, `Secure` (unless a trial turns it
off), lasting `session_hours`. It holds the user name, the account's session epoch (a new
password, a role change or disabling the account raises it, which ends every session at once)
and a random CSRF token. Signing in starts a fresh session (no fixation); it ends `session_hours`
after signing in, however active (the signed timestamp is not refreshed by later requests).

Every POST form carries the CSRF token in a hidden field; a form without the session's token is
refused with 403, and so is a request whose Origin is another site.
"""

from __future__ import annotations

import hmac
import secrets

from flask import g, request, session

from companion.central.accounts import Account, current_account
from companion.central.errors import Forbidden, Unauthorized

CSRF_FIELD = "csrf_token"


def csrf_token() -> str:
    """This session's CSRF token, made on first use (the sign-in form gets one too)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    """403 unless the form's token is this session's and the Origin (if sent) is this site."""
    origin = request.headers.get("Origin")
    if origin is not None and origin != request.host_url.rstrip("/"):
        raise Forbidden("this form was sent from another site", "bad_origin")
    given, expected = request.form.get(CSRF_FIELD, ""), session.get("csrf", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Forbidden("the form has expired or did not come from this page; reload it and try again", "bad_csrf")


def start_session(account: Account) -> None:
    """A fresh session for `account`: new CSRF token, nothing kept from before signing in."""
    session.clear()
    session.permanent = True
    session.update({"user": account.username, "epoch": account.session_epoch, "csrf": secrets.token_urlsafe(32)})


def signed_in_account(conn) -> Account | None:
    """The account of this request's session, if it is still valid (cached on `g`)."""
    if "account" not in g:
        name, epoch = session.get("user"), session.get("epoch")
        g.account = current_account(conn, name, epoch) if isinstance(name, str) and isinstance(epoch, int) else None
    return g.account


def require_account(conn, *, admin: bool = False) -> Account:
    """The signed-in account; Unauthorized without one, Forbidden for a reviewer on an admin page."""
    account = signed_in_account(conn)
    if account is None:
        raise Unauthorized("sign in first", "signed_out")
    if admin and not account.is_admin:
        raise Forbidden("only admins may open this page", "admins_only")
    return account
