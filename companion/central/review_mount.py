"""The review tool (companion/review, the laptop's /audit page) on the central service, over every
laptop's events in PostgreSQL: one review blueprint for both, not a second Flask app.

What changes on the central service is who may open the page, and that is the access object the
blueprint is registered with (companion/review/access.py). `AccountAccess` is the service's:

- its guard sends anyone not signed in to /signin, answers the page's own sign-in with the service's
  and its sign-out by ending the service's session, and refuses a form post from another site (Origin,
  or `null` with `Sec-Fetch-Site: same-origin` as browsers send it under the page's `no-referrer`) or
  without the session's CSRF token, which every POST form of the page carries (`hidden_fields`);
- the signed-in account is read from the service's session on every request, so a disabled account or
  a changed password ends access to the page at once; there is no second cookie;
- a review entry carries the signed-in account's name ("Your name" is that name and cannot be changed);
- the page's tabs end with the service's Approvals queue.

The page's loopback Host check is not used here (the service sits behind a reverse proxy with a public
name); everything else of the page, its headers (CSP) included, is as on a laptop.
"""

from __future__ import annotations

import hmac
from pathlib import Path

from flask import Flask, Request, Response, current_app, redirect, session, url_for

from companion.central.errors import Forbidden
from companion.central.sessions import CSRF_FIELD, csrf_token, signed_in_account
from companion.review.access import ReviewAccess

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
    register_review(app, reader, Settings(data_dir=Path(state.settings.key_dir), port=state.settings.port),
                    source_label=f"Central audit store {reader.db.describe()}, all laptops",
                    workflow=PostgresWorkflowStore.open(url), alerts=state.alerts, access=AccountAccess())


class AccountAccess(ReviewAccess):
    """The review page behind the central service's accounts, sessions and CSRF token."""

    nav_links = (("Approvals", "central.queue"),)

    def guard(self, req: Request) -> Response | None:
        """See the module docstring: this site's forms only, the service's sign-in and sign-out."""
        if not _from_this_site(req):
            raise Forbidden("the review page only answers its own pages; open it by its address", "bad_origin")
        if req.endpoint == "review.login":  # the laptop's token form is no door here; nothing to protect
            signed_in = self.signed_in() is not None
            return redirect(url_for("review.posts") if signed_in else self.sign_in_url(url_for("review.posts")), 303)
        if req.method == "POST":
            if req.mimetype not in _FORM_TYPES:
                raise Forbidden("send the form as a form post", "bad_form")
            _check_csrf_token(req)
        if req.endpoint == "review.choose_language":  # one switch for the whole service (central/i18n.py)
            return redirect(url_for("central.choose_language", code=req.view_args["code"],
                                    next=req.args.get("next") or url_for("review.posts")), 303)
        if req.endpoint == "review.logout":
            session.clear()
            return redirect(url_for("central.signin"), 303)
        if self.signed_in() is None:
            target = req.full_path.rstrip("?") if req.method == "GET" else url_for("review.posts")
            return redirect(self.sign_in_url(target), 303)
        return None

    def signed_in(self) -> str | None:
        with current_app.extensions["postguard_central"].store.connection() as conn:
            account = signed_in_account(conn)
        return account.username if account is not None else None

    def sign_in_url(self, next_path: str) -> str:
        return url_for("central.signin", next=next_path)

    @property
    def sign_out_url(self) -> str:
        # The page's own address, answered by `guard`: a post from a no-referrer page carries Origin `null`,
        # which the service's /signout (sessions.check_csrf) refuses.
        return url_for("review.logout")

    def hidden_fields(self) -> dict[str, str]:
        return {CSRF_FIELD: csrf_token()}


def _from_this_site(req: Request) -> bool:
    origin = req.headers.get("Origin")
    fetch_site = req.headers.get("Sec-Fetch-Site")
    if origin is None:
        return fetch_site in (None, "same-origin", "none") and req.method == "GET"
    if origin == "null":
        return fetch_site == "same-origin"
    return origin == req.host_url.rstrip("/") and fetch_site in (None, "same-origin")


def _check_csrf_token(req: Request) -> None:
    """403 unless the form carries this session's CSRF token (sessions.py; the Origin was checked above,
    with the `null` the page's no-referrer makes browsers send, which sessions.check_csrf refuses)."""
    given, expected = req.form.get(CSRF_FIELD, ""), session.get("csrf", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Forbidden("the form has expired or did not come from this page; reload it and try again", "bad_csrf")
