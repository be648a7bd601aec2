"""The /audit blueprint: sign in, the filtered table with its chart, one event, exports.

Handlers take the reader from `current_app.extensions["postguard_review"]`, so the same
blueprint serves the local SQLite log (inside the companion) and the central PostgreSQL
store (`postguard audit serve`). Templates are Jinja with autoescaping: every value from
the log (user names, justifications, excerpts) is text, never markup.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime, timezone
from typing import Iterator

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from companion.audit.export import EXPORT_FORMATS, export_events
from companion.audit.query import EventFilter
from companion.errors import NotFound, PostguardError
from companion.review.anchoring import anchor_lines
from companion.review.access import signs_in_on_page
from companion.review.auth import SESSION_COOKIE, SESSION_TTL_S, new_session, read_admin_token, token_matches
from companion.review.chart import build_chart, chart_days, chart_filter
from companion.review.filters import CHOICES, parse_review_query
from companion.review.guard import add_security_headers
from companion.review.i18n import LANG_COOKIE, LANGUAGES, template_context
from companion.review.state import ReviewState, review_state

log = logging.getLogger("postguard.review")

bp = Blueprint("review", __name__, url_prefix="/audit", template_folder="templates",
               static_folder="static", static_url_path="/static")
PAGE_SIZE = 50
EXPORT_BATCH = 500
MAX_TOKEN_CHARS = 512


@bp.before_request
def _guard():
    """The access object's door (access.py): the laptop's loopback checks, or the host's sign-in."""
    return review_state().access.guard(request)


@bp.after_request
def _headers(response: Response) -> Response:
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return add_security_headers(response)


bp.context_processor(template_context)


@bp.context_processor
def _access_context() -> dict:
    """What the templates need from the access object: the fields of every POST form, the host's tabs,
    where "Sign out" posts."""
    access = review_state().access
    return {"review_hidden_fields": access.hidden_fields(), "review_nav_links": access.nav_links,
            "review_sign_out_url": access.sign_out_url}


@bp.get("/language/<code>")
def choose_language(code: str):
    """The language switch: remember the choice in a cookie and go back to the page."""
    if code not in LANGUAGES:
        raise NotFound("the review pages are in English (en) or Chinese (zh)", "unknown_language")
    response = redirect(_safe_next(request.args.get("next")), 303)
    response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, path="/audit", httponly=True, samesite="Strict",
                        secure=request.is_secure)
    return response


def _signed_in(state: ReviewState) -> bool:
    """Whether the access object (access.py) says someone is signed in."""
    return state.access.signed_in() is not None


def signed_in_name(state: ReviewState) -> str:
    """The signed-in reviewer's account name, "" when the sign-in names nobody (the admin token)."""
    return state.access.signed_in() or ""


def _safe_next(path: str | None) -> str:
    """Where to go after signing in: a path of this page only, never another site."""
    path = (path or "").rstrip("?")
    on_page = path == "/audit" or path.startswith(("/audit/", "/audit?"))
    if (not on_page or path.startswith("/audit/login") or "//" in path or ".." in path
            or "\\" in path or any(ord(c) < 32 for c in path)):
        return url_for("review.events")
    return path


def _login_page(status: int, problem: str | None = None, next_path: str | None = None, *,
                wait_s: int = 0):
    """The sign-in form; `problem` ("wrong_token", "no_token") picks the message it shows, and
    `wait_s` says how long sign-in is paused (429 with Retry-After). A host with a sign-in of its
    own (access.py) gets the browser instead, with the page to come back to."""
    state = review_state()
    back = _safe_next(next_path or request.full_path) if request.method == "GET" else url_for("review.posts")
    if not signs_in_on_page(state.access, back):
        return redirect(state.access.sign_in_url(back), 303)
    has_token = read_admin_token(state.token_file) is not None
    html = render_template("review/login.html", problem=problem, has_token=has_token, wait_s=wait_s,
                           next_path=_safe_next(next_path or request.full_path),
                           source_label=state.source_label)
    return html, status, {"Retry-After": str(wait_s)} if wait_s else {}


def _chain_status(state: ReviewState) -> dict:
    """verify() as the badge shows it, with where the head was last anchored (anchoring.py);
    a store that cannot be read says so instead."""
    try:
        report = state.reader.verify()
    except PostguardError as exc:
        return {"report": None, "error": exc.message, "anchors": []}
    reader = state.reader
    anchors = []
    if hasattr(reader, "anchors"):  # the central store has none: it is the anchor
        anchors = anchor_lines(reader.anchors(), report.head_seq, forwarding=state.forwarding,
                               now=datetime.now(timezone.utc), replacements=reader.replacements())
    return {"report": report, "error": None, "anchors": anchors}


# The shape each JSON field should have; a row edited by hand may hold something else.
_FIELD_SHAPES = {"categories": list, "rules": list, "counts": dict, "excerpts": list, "value_hashes": list,
                 "details": dict, "versions": dict}


def _well_formed(name: str, value, shape: type) -> bool:
    if not isinstance(value, shape):
        return False
    item_type = str if name in ("categories", "rules") else dict
    return shape is dict or all(isinstance(item, item_type) for item in value)


def for_display(event: dict) -> dict:
    """The event with mis-shapen fields emptied and named in `unreadable`, so the page
    renders a hand-edited row (and says which fields it could not read) instead of failing."""
    shown, unreadable = dict(event), []
    for name, shape in _FIELD_SHAPES.items():
        value = shown.get(name)
        if value is None or _well_formed(name, value, shape):
            continue
        unreadable.append(name)
        shown[name] = shape()
    shown["unreadable"] = unreadable
    return shown


def _page_context(state: ReviewState, **values) -> dict:
    from companion.review.posts import OUTCOMES

    return {"signed_in": True, "source_label": state.source_label, "choices": CHOICES, "outcomes": OUTCOMES,
            "chain": _chain_status(state), "nav": "events", **values}


@bp.get("")
def events():
    """The table of events, newest first, with filters, the chart and paging."""
    state = review_state()
    if not _signed_in(state):
        return _login_page(401)
    query = parse_review_query(request.args)
    if query.errors:
        return render_template("review/events.html", **_page_context(state, q=query, rows=[], total=0,
                                                                       chart=None, older=None)), 400
    rows = state.reader.query(query.flt, limit=PAGE_SIZE + 1, before_seq=query.before_seq)
    older = rows[PAGE_SIZE - 1]["seq"] if len(rows) > PAGE_SIZE else None
    start, end, clamped = chart_days(query.flt, datetime.now(timezone.utc).date())
    chart = build_chart(state.reader.daily_counts(chart_filter(query.flt, start, end)), start, end, clamped)
    shown = [for_display(e) for e in rows[:PAGE_SIZE]]
    return render_template("review/events.html", **_page_context(
        state, q=query, rows=shown, chart=chart, older=older, **_event_count(state.reader, query.flt)))


def _event_count(reader, flt: EventFilter) -> dict:
    """The event log's count: exact for the laptop's log, up to the reader's cap for the central
    store (the page then says "10,000+")."""
    cap = getattr(reader, "count_cap", None)
    if cap is None:
        return {"total": reader.count(flt), "capped": False}
    total = reader.count(flt, cap=cap)
    return {"total": min(total, cap), "capped": total > cap}


@bp.get("/")
def events_slash():
    return redirect(url_for("review.events", **request.args), 308)


@bp.get("/events/<int:seq>")
def event_detail(seq: int):
    """One event in full: findings with masked excerpts, hashes, decision, versions, chain."""
    state = review_state()
    if not _signed_in(state):
        return _login_page(401)
    event = state.reader.event(seq)
    if event is None:
        raise NotFound(f"there is no event {seq} in this log (it may have been pruned or deleted)",
                       "unknown_event")
    scan_events = getattr(state.reader, "scan_events", None)
    related = []
    if scan_events and event.get("scan_id") and event["kind"] != "checkpoint":
        related = [for_display(e) for e in scan_events(event["scan_id"]) if e["seq"] != seq]
    back = parse_review_query(request.args)
    return render_template("review/event.html", **_page_context(
        state, event=for_display(event), related=related, back_query=back.query_string() if not back.errors else ""))


def _export_chunks(reader, flt: EventFilter, fmt: str) -> Iterator[str]:
    """The filtered events, newest first, written in batches so memory stays flat."""
    before, first = None, True
    while True:
        batch = reader.query(flt, limit=EXPORT_BATCH, before_seq=before)
        if not batch and not first:
            return
        out = io.StringIO()
        export_events(batch, fmt, out, getattr(reader, "extra_fields", ()))
        text = out.getvalue()
        if fmt == "csv" and not first:
            text = text.split("\n", 1)[1]  # the header once, at the top
        yield text
        if not batch:
            return
        first, before = False, batch[-1]["seq"]


@bp.get("/export.<fmt>")
def export(fmt: str):
    """Download the filtered view (every page of it) as CSV or JSONL."""
    state = review_state()
    if not _signed_in(state):
        return _login_page(401)
    if fmt not in EXPORT_FORMATS:
        raise NotFound("exports are .csv or .jsonl", "unknown_format")
    query = parse_review_query(request.args)
    if query.errors:
        return render_template("review/events.html", **_page_context(state, q=query, rows=[], total=0,
                                                                       chart=None, older=None)), 400
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    mimetype = "text/csv" if fmt == "csv" else "application/x-ndjson"
    response = Response(_export_chunks(state.reader, query.flt, fmt), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="postguard-audit-{stamp}.{fmt}"'
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; a right token sets the session cookie, a wrong one is a 401, and
    wrong ones in a row make the client wait (429, throttle.py)."""
    state = review_state()
    if not signs_in_on_page(state.access, url_for("review.posts")):  # the host signs in, not the token
        return redirect(state.access.sign_in_url(url_for("review.posts")), 303)
    if request.method == "GET":
        if _signed_in(state):
            return redirect(url_for("review.events"), 303)
        return _login_page(200, next_path=request.args.get("next"))
    client = request.remote_addr or "unknown"
    next_path = request.form.get("next")
    wait_s = state.throttle.wait_s(client)
    if wait_s:  # not checked, not logged: a flood costs nothing and says nothing
        return _login_page(429, None, next_path, wait_s=wait_s)
    given = request.form.get("token", "")[:MAX_TOKEN_CHARS]
    expected = read_admin_token(state.token_file)
    if expected is None:
        return _login_page(401, "no_token", next_path)
    if not token_matches(given, expected):
        wait_s = state.throttle.failed(client)
        if wait_s:
            log.warning("review page: too many wrong admin tokens from %s; sign-in paused for %d s",
                        client, wait_s)
            return _login_page(429, "wrong_token", next_path, wait_s=wait_s)
        log.warning("review page: sign-in with a wrong admin token")
        return _login_page(401, "wrong_token", next_path)
    state.throttle.succeeded(client)
    response = redirect(_safe_next(next_path), 303)
    response.set_cookie(SESSION_COOKIE, new_session(expected), max_age=SESSION_TTL_S, path="/audit",
                        httponly=True, samesite="Strict", secure=request.is_secure)
    return response


@bp.post("/logout")
def logout():
    """Forget the session in this browser."""
    response = redirect(url_for("review.login"), 303)
    response.delete_cookie(SESSION_COOKIE, path="/audit", httponly=True, samesite="Strict")
    return response


def render_error(status: int, code: str, message: str, headers: dict | None = None):
    """The error page: status, our own message (never request content), the page's headers."""
    return render_template("review/error.html", status=status, code=code, message=message,
                           signed_in=False, source_label=review_state().source_label), status, headers or {}


@bp.errorhandler(PostguardError)
def _ours(exc: PostguardError):
    return render_error(exc.http_status, exc.code, exc.message)


@bp.errorhandler(Exception)
def _unexpected(exc: Exception):
    status = getattr(exc, "code", None)
    if isinstance(status, int) and 400 <= status < 500:  # werkzeug's own (405, 413, ...)
        return render_error(status, "http_error", getattr(exc, "name", "refused"))
    log.error("review page: internal error %s", type(exc).__name__)
    return render_error(500, "internal_error", "the review page failed; see the companion's log")
