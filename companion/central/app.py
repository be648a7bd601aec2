"""`create_central_app(settings)`: the only place the central service's Flask app is assembled.

Per-app state (settings, the store, the draft cipher) lives in `app.extensions["postguard_central"]`;
the review tool's (companion/review, mounted by review_mount.py) in `app.extensions["postguard_review"]`.
The app holds no other state: sessions are signed cookies, throttling and everything else live
in PostgreSQL, so several instances behind a load balancer behave as one.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from companion.central import api, approvals, health, review_mount, web
from companion.central.db import CentralStore
from companion.central.drafts import DRAFTS_KEY_FILE, SESSION_KEY_FILE, DraftCipher, read_key
from companion.central.errors import Throttled, Unauthorized
from companion.central.i18n import envelope_text, problem_text
from companion.central.schema import ensure_central_schema
from companion.central.settings import CentralSettings
from companion.central.store_build import StoreBuilder
from companion.errors import PostguardError

log = logging.getLogger("postguard.central")

CENTRAL_EXTENSION = "postguard_central"
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                           "frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@dataclass
class CentralState:
    """What the handlers share: settings, where the database is, the draft cipher, the store's build."""

    settings: CentralSettings
    store: CentralStore
    cipher: DraftCipher
    alerts: object = None  # companion.alerts.AlertService over the whole fleet, when alerts_file is set
    builder: StoreBuilder = None  # what the review page lacks, built in the background (store_build.py)


def create_central_app(settings: CentralSettings) -> Flask:
    """Build the service: check the keys and the database's tables once, here. What the review page
    lacks (its tables and indexes, minutes on a large store) is left to the `StoreBuilder` that
    `central serve` starts once it listens (store_build.py)."""
    store = CentralStore(settings.db.get_secret_value())
    with store.connection() as conn:
        ensure_central_schema(conn, review_tables=False)
    app = Flask(__name__)
    app.secret_key = read_key(settings.key_dir, SESSION_KEY_FILE)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_request_bytes, SESSION_COOKIE_NAME="postguard_central",
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict",
                      SESSION_COOKIE_SECURE=settings.secure_cookies, SESSION_REFRESH_EACH_REQUEST=False,
                      PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours))
    app.json.sort_keys = False
    if settings.proxy_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops,
                                x_host=settings.proxy_hops)
    app.extensions[CENTRAL_EXTENSION] = CentralState(settings, store,
                                                     DraftCipher(read_key(settings.key_dir, DRAFTS_KEY_FILE)),
                                                     alerts=_start_alerts(settings), builder=StoreBuilder(store))
    app.register_blueprint(api.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(web.bp)
    review_mount.mount_review(app, app.extensions[CENTRAL_EXTENSION])  # /audit: the review tool, fleet-wide
    app.after_request(_security_headers)
    app.context_processor(_store_build_notice)
    _register_error_handlers(app)
    return app


def _store_build_notice() -> dict:
    """`store_build` for the pages' notice while the review tables are built (None once ready)."""
    from flask import current_app

    status = current_app.extensions[CENTRAL_EXTENSION].builder.status()
    return {"store_build": None if status.ready or status.state == "unknown" else status}


def _start_alerts(settings: CentralSettings):
    """The alert service (companion/alerts) over the fleet's events, when an alerts file is set.

    Each instance alerts on the events it stores itself, so several instances send each alert once.
    """
    if not settings.alerts_file:
        return None
    from companion.alerts import AlertService, load_alerts
    from companion.audit.pg_reader import PostgresAuditReader
    from companion.review.people import overrides_on_day
    from companion.review.sql import dialect_of

    config = load_alerts(settings.alerts_file)
    reader = PostgresAuditReader.open(settings.db.get_secret_value())
    dialect = dialect_of(reader)
    return AlertService(config, count_overrides=lambda person, day, ts: overrides_on_day(reader, dialect, person, day, ts))


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _register_error_handlers(app: Flask) -> None:
    """JSON envelope for /api, a page (or the sign-in form) for people; never request content."""

    @app.errorhandler(PostguardError)
    def _ours(exc: PostguardError):
        if _wants_json():
            return _envelope(exc.code, envelope_text(exc), exc.http_status)
        if isinstance(exc, Unauthorized):
            return redirect(url_for("central.signin", next=request.full_path.rstrip("?")), 303)
        headers = {"Retry-After": str(exc.wait_s)} if isinstance(exc, Throttled) else {}
        return _error_page(exc.http_status, envelope_text(exc)), exc.http_status, headers

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        codes = {413: "payload_too_large", 404: "not_found", 405: "method_not_allowed"}
        if _wants_json():
            response = _envelope(codes.get(exc.code, "http_error"), problem_text(exc.name), exc.code)
        else:
            response = app.make_response((_error_page(exc.code, exc.name), exc.code))
        response.status_code = exc.code
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    import psycopg

    @app.errorhandler(psycopg.Error)
    def _database(exc: psycopg.Error):
        # PostgreSQL's text can quote a value; log its class only, answer "try again" (the sender retries).
        log.warning("central: the database failed a request (%s)", type(exc).__name__)
        message = "the central store is unavailable; try again shortly"
        if _wants_json():
            return _envelope("central_store_unavailable", problem_text(message), 503)
        return _error_page(503, message), 503

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        tb = exc.__traceback__
        while tb and tb.tb_next:
            tb = tb.tb_next
        log.error("central: internal error %s at %s", type(exc).__name__,
                  f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else "?")
        if _wants_json():
            return _envelope("internal_error", problem_text("the central service failed; see its log"), 500)
        return _error_page(500, "The central service failed; see its log"), 500


def _envelope(code: str, message: str, status: int):
    """The one JSON error envelope, saying which language its message is in."""
    from companion.review.i18n import current_language

    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    response.headers["Content-Language"] = "zh-CN" if current_language() == "zh" else "en"
    response.vary.add("Accept-Language")
    return response


def _error_page(status: int, message: str) -> str:
    from companion.central.i18n import central_template_context

    # The central words even when the failed request was the review tool's (its `_` would win).
    return render_template("central/error.html", status=status, message=problem_text(message),
                           account=web.signed_in_for_error_page(), **central_template_context())


def start_purging(settings: CentralSettings, every_s: float = 60.0) -> threading.Event:
    """Expire unanswered requests and delete drafts past their retention now and every `every_s`
    seconds; set the event to stop."""
    stop = threading.Event()
    store = CentralStore(settings.db.get_secret_value())

    def run():
        while True:
            try:
                with store.connection() as conn:
                    expired, purged = approvals.purge(conn, timedelta(hours=settings.approval_expire_hours))
                if expired or purged:
                    log.info("central: %d requests expired unanswered, %d decided drafts deleted after their "
                             "retention", expired, purged)
            except PostguardError as exc:
                log.warning("central: purging decided drafts failed: %s", exc.message)
            if stop.wait(every_s):
                return

    threading.Thread(target=run, name="purge-drafts", daemon=True).start()
    return stop
