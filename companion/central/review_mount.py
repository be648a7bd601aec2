"""The review tool (companion/review, the laptop's /audit page) on the central service, over every
laptop's events in PostgreSQL: one review blueprint for both, not a second Flask app.

What changes on the central service is who may open the page. On a laptop the page is loopback-only
and opens with the admin token; here it sits behind the service's own sign-in:

- `_guard` (run before the blueprint's handlers) sends anyone not signed in to /signin, answers the
  page's own sign-in and sign-out with the service's, and refuses a form post that did not come from
  this site (Origin, or `null` with `Sec-Fetch-Site: same-origin` as browsers send it under the
  page's `no-referrer`; SameSite=Strict cookies besides). The page's forms carry no CSRF field of
  ours, so this is the CSRF check for them; every form of the service's own pages keeps its token.
- The page's session cookie is minted by the service from `review.key` (made by `central keygen`,
  shared by every instance) when a reviewer signs in, and lasts as long as the sign-in. Both
  cookies are needed: the service's session is checked on every request, so a disabled account or a
  changed password ends access to the page at once.
- A review entry carries the signed-in account's name: the "Your name" field is filled with it, and
  an entry under another name is refused.

The page's loopback Host check is replaced by this guard (the service sits behind a reverse proxy
with a public name); everything else of the page, its headers (CSP) included, is as on a laptop.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, redirect, request, session, url_for

from companion.central.drafts import REVIEW_KEY_FILE
from companion.central.errors import Forbidden
from companion.central.sessions import signed_in_account

REVIEW_BLUEPRINT = "review"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def mount_review(app: Flask, state) -> None:
    """Register the review blueprint on the central app, reading the central store (`state`: the
    service's CentralState), behind the service's sign-in."""
    from companion.audit.pg_reader import PostgresAuditReader
    from companion.config import Settings
    from companion.review import register_review
    from companion.review.pg_workflow import PostgresWorkflowStore

    url = state.settings.db.get_secret_value()
    reader = PostgresAuditReader.open(url)
    token_file = Path(state.settings.key_dir) / REVIEW_KEY_FILE
    _check_key(token_file)
    register_review(app, reader, Settings(data_dir=Path(state.settings.key_dir), port=state.settings.port),
                    source_label=f"Central audit store {reader.db.describe()}, all laptops",
                    token_file=token_file, workflow=PostgresWorkflowStore.open(url), alerts=state.alerts)
    # The page's own guard admits loopback Hosts only; here the service's guard stands in its place.
    app.before_request_funcs[REVIEW_BLUEPRINT] = []
    app.before_request(_guard)


def _check_key(token_file: Path) -> None:
    from companion.errors import ConfigError
    from companion.review.auth import read_admin_token

    if read_admin_token(token_file) is None:
        raise ConfigError("no review.key: run `postguard central keygen --key-dir DIR` again (existing keys are "
                          "kept) and copy the new file to every instance", path=str(token_file))


def _review_token() -> str:
    from flask import current_app

    from companion.review.auth import read_admin_token
    from companion.review.state import REVIEW_EXTENSION

    return read_admin_token(current_app.extensions[REVIEW_EXTENSION].token_file)


def _from_this_site() -> bool:
    origin = request.headers.get("Origin")
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if origin is None:
        return fetch_site in (None, "same-origin", "none") and request.method == "GET"
    if origin == "null":
        return fetch_site == "same-origin"
    return origin == request.host_url.rstrip("/") and fetch_site in (None, "same-origin")


def _guard() -> Response | None:
    """The central service's door to the review page (see the module docstring)."""
    if request.blueprint != REVIEW_BLUEPRINT:
        return None
    from flask import current_app

    if not _from_this_site():
        raise Forbidden("the review page only answers its own pages; open it by its address", "bad_origin")
    if request.method == "POST" and request.mimetype not in _FORM_TYPES:
        raise Forbidden("send the form as a form post", "bad_form")
    with current_app.extensions["postguard_central"].store.connection() as conn:
        account = signed_in_account(conn)
    if request.endpoint == "review.logout":
        session.clear()
        response = redirect(url_for("central.signin"), 303)
        forget_review_session(response)
        return response
    if account is None:
        target = request.full_path.rstrip("?") if request.method == "GET" else url_for("review.posts")
        return redirect(url_for("central.signin", next=target), 303)
    if request.endpoint == "review.login":
        return redirect(url_for("review.posts"), 303)
    if request.endpoint == "review.add_review_entry" and request.form.get("reviewer", "").strip() != account.username:
        raise Forbidden(f"review entries are signed with your account name ({account.username})", "wrong_reviewer")
    from companion.review.auth import SESSION_COOKIE, session_is_valid

    if not session_is_valid(request.cookies.get(SESSION_COOKIE), _review_token()):
        # Signed in before the page was here, or the page's cookie was removed: mint it, come back.
        response = redirect(request.full_path.rstrip("?") if request.method == "GET" else url_for("review.posts"), 303)
        start_review_session(response, account.username, current_app.permanent_session_lifetime.total_seconds())
        return response
    return None


def start_review_session(response: Response, username: str, ttl_s: float) -> None:
    """Give the browser the page's session cookie (as long as the sign-in) and fill 'Your name'."""
    from companion.review.auth import SESSION_COOKIE, new_session
    from companion.review.post_views import REVIEWER_COOKIE

    from flask import current_app

    ttl, secure = int(ttl_s), current_app.config["SESSION_COOKIE_SECURE"]  # as the service's own cookie
    response.set_cookie(SESSION_COOKIE, new_session(_review_token(), ttl_s=ttl), max_age=ttl, path="/audit",
                        httponly=True, samesite="Strict", secure=secure)
    response.set_cookie(REVIEWER_COOKIE, username, max_age=ttl, path="/audit", httponly=True, samesite="Strict",
                        secure=secure)


def forget_review_session(response: Response) -> None:
    """Signing out of the service ends the page's session in this browser too."""
    from companion.review.auth import SESSION_COOKIE
    from companion.review.post_views import REVIEWER_COOKIE

    for name in (SESSION_COOKIE, REVIEWER_COOKIE):
        response.delete_cookie(name, path="/audit", httponly=True, samesite="Strict")
