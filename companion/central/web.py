"""The pages people use: sign in, the approval queue at /approvals, one request, and the admin's
list of enrolled laptops (the review tool at /audit is companion/review's, see review_mount.py). Every POST form carries the CSRF token (sessions.py); every value from
a draft is rendered as text by Jinja's autoescaping, never as markup.
"""

from __future__ import annotations

import base64
import logging

from flask import Blueprint, Response, current_app, redirect, render_template, request, session, url_for

from companion.central import accounts, approvals, devices
from companion.central.errors import Throttled, Unauthorized
from companion.central.i18n import central_template_context, gettext, language_switch, ngettext
from companion.central.sessions import check_csrf, csrf_token, require_account, signed_in_account, start_session
from companion.errors import NotFound
from companion.review.present import TEMPLATE_FILTERS, category_label

log = logging.getLogger("postguard.central")

bp = Blueprint("central", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/central")
STATUS_LABELS = {"pending": "Waiting", "approved": "Approved", "rejected": "Rejected",
                 "changes_requested": "Changes requested", "expired": "Expired"}


def _state():
    return current_app.extensions["postguard_central"]


ROLE_LABELS = {"reviewer": "reviewer", "admin": "admin"}


@bp.app_context_processor
def _template_values():
    return {"csrf_token": csrf_token, "status_labels": STATUS_LABELS, "role_labels": ROLE_LABELS,
            "category_label": category_label, "platform_label": TEMPLATE_FILTERS["platform_label"]}


# The central pages' words, error pages of any request included; on the review tool's pages its own
# processor runs after this one and its words win.
bp.app_context_processor(central_template_context)


@bp.after_request
def _vary(response: Response) -> Response:
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


@bp.get("/language/<code>")
def choose_language(code: str):
    """The language switch of every page of the service, the review tool's included."""
    return language_switch(code, _safe_next(request.args.get("next")), current_app.config["SESSION_COOKIE_SECURE"])


@bp.get("/")
def home():
    return redirect(url_for("central.queue"), 303)


def _safe_next(path: str | None) -> str:
    path = path or ""
    if not path.startswith("/") or path.startswith("//") or "\\" in path or any(ord(c) < 32 for c in path):
        return url_for("central.queue")
    return path


@bp.route("/signin", methods=["GET", "POST"])
def signin():
    """The sign-in form; a wrong password is a 401, too many make the account and address wait (429)."""
    next_path = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("central/signin.html", next_path=next_path, problem=None, account=None)
    check_csrf()
    username = request.form.get("username", "").strip()
    with _state().store.connection() as conn:
        try:
            account = accounts.sign_in(conn, username, request.form.get("password", ""),
                                       request.remote_addr or "unknown")
        except Throttled as exc:
            log.warning("central sign-in paused %d s after wrong passwords", exc.wait_s)
            problem = ngettext("Too many wrong passwords: wait %(n)s second, then sign in again",
                               "Too many wrong passwords: wait %(n)s seconds, then sign in again", exc.wait_s)
            return render_template("central/signin.html", next_path=next_path, problem=problem,
                                   account=None, username=username), 429, {"Retry-After": str(exc.wait_s)}
        except Unauthorized as exc:
            return render_template("central/signin.html", next_path=next_path, problem=gettext(exc.message),
                                   account=None, username=username), 401
    start_session(account)
    log.info("central: %s signed in", account.username)
    return redirect(next_path, 303)


@bp.post("/signout")
def signout():
    check_csrf()
    session.clear()
    return redirect(url_for("central.signin"), 303)


@bp.get("/approvals")
def queue():
    """Waiting requests first (oldest on top), then the decided ones."""
    status = request.args.get("status")
    with _state().store.connection() as conn:
        account = require_account(conn)
        items = approvals.queue(conn, status)
    return render_template("central/queue.html", account=account, items=items, status=status)


def highlighted(text: str, findings: list[dict]) -> list[tuple[str, str | None]]:
    """The text as (piece, category or None) so findings show highlighted; overlaps keep the first."""
    spans = sorted((f["start"], f["end"], f["category"]) for f in findings if f.get("start") is not None)
    pieces, at = [], 0
    for start, end, category in spans:
        if start < at:
            continue
        if start > at:
            pieces.append((text[at:start], None))
        pieces.append((text[start:end], category))
        at = end
    if at < len(text):
        pieces.append((text[at:], None))
    return pieces


@bp.get("/approvals/<request_id>")
def detail(request_id: str):
    """One request: the draft with its findings highlighted, its photos, and the decision form."""
    state = _state()
    with state.store.connection() as conn:
        account = require_account(conn)
        item = approvals.opened(conn, state.cipher, request_id)
    draft = item["draft"]
    pieces = highlighted(draft["text"], draft["findings"]) if draft else []
    return render_template("central/request.html", account=account, item=item, draft=draft, pieces=pieces,
                           retention_days=state.settings.approval_retention_days)


@bp.get("/approvals/<request_id>/photos/<int:index>")
def photo(request_id: str, index: int):
    """A photo of a draft, served from this site so the page's CSP needs no data: URLs."""
    state = _state()
    with state.store.connection() as conn:
        require_account(conn)
        draft = approvals.opened(conn, state.cipher, request_id)["draft"]
    if draft is None or not 0 <= index < len(draft["images"]):
        raise NotFound("no such photo (the draft may have been deleted after its retention)", "unknown_photo")
    image = draft["images"][index]
    return Response(base64.b64decode(image["data"]), mimetype=image["mime"])


@bp.post("/approvals/<request_id>/decision")
def decision(request_id: str):
    """Approve, Reject or Request changes, with a comment; recorded once."""
    check_csrf()
    state = _state()
    with state.store.connection() as conn:
        account = require_account(conn)
        done = approvals.decide(conn, state.cipher, request_id, request.form.get("decision", ""),
                                request.form.get("comment", ""), account.username,
                                state.settings.approval_retention_days)
    log.info("central: approval request %s %s by %s", done["id"], done["status"], account.username)
    return redirect(url_for("central.detail", request_id=done["id"]), 303)


@bp.get("/admin/devices")
def device_list():
    """Admins: every enrolled laptop, with a Revoke button."""
    with _state().store.connection() as conn:
        account = require_account(conn, admin=True)
        rows = devices.list_devices(conn)
    return render_template("central/devices.html", account=account, devices=rows)


@bp.post("/admin/devices/<device_id>/revoke")
def device_revoke(device_id: str):
    check_csrf()
    with _state().store.connection() as conn:
        account = require_account(conn, admin=True)
        if not devices.revoke(conn, device_id):
            raise NotFound("no such enrolled laptop, or it is already revoked", "unknown_device")
    log.info("central: laptop %s revoked by %s", device_id, account.username)
    return redirect(url_for("central.device_list"), 303)


def signed_in_for_error_page():
    """The account to show in an error page's header, when there is one (never raises)."""
    try:
        with _state().store.connection() as conn:
            return signed_in_account(conn)
    except Exception:  # an error page must render even when the database is what failed
        return None
