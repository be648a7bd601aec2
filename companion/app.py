"""`create_app(settings)` — the only place the Flask app is assembled.

Per-app state (engine, audit store, settings) lives in `app.extensions["postguard"]`.
Tests pass their own settings, and may pass an engine built once per test session;
the server builds everything once at start.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask, jsonify, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException

from companion.api import routes
from companion.api.firefox_origins import UUID_PATTERN, FirefoxAddonOrigins, addon_ids, profile_roots
from companion.api.security import check_request_source
from companion.audit import AuditError, AuditStore
from companion.audit.sinks import Forwarder, start_forwarding
from companion.audit.sqlite_reader import SqliteAuditReader
from companion.config import Settings
from companion.detection.engine import DetectionEngine
from companion.detection.types import ScanResult
from companion.errors import PostguardError
from companion.review import is_review_request, register_review

log = logging.getLogger("postguard")

@dataclass
class AppState:
    """What the request handlers share: settings, the engine, the audit store (and its forwarder)."""

    settings: Settings
    engine: DetectionEngine
    audit: AuditStore
    versions: dict
    forwarder: Forwarder | None = None  # syslog / central store, when configured

    def record_check(self, *, scan_id: str, platform: str, url_host: str | None,
                     result: ScanResult, identity: str | None = None,
                     acting: tuple[str, bool] | None = None) -> bool:
        """Audit a check; a failing store must not hide the findings from the user."""
        try:
            self.audit.record_check(scan_id=scan_id, platform=platform, url_host=url_host,
                                    result=result, versions=self.versions, identity=identity,
                                    acting=acting)
            return True
        except AuditError as exc:
            log.error("audit store unavailable (%s)", exc.code)
            return False


def create_app(settings: Settings | None = None, *, engine: DetectionEngine | None = None,
               audit: AuditStore | None = None) -> Flask:
    """Build the app: engines loaded once here, never per request."""
    from companion.detection.start_cache import start_cache_dir
    from companion.runtime import build_engine, versions

    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.json.sort_keys = False
    watch_bundles = engine is None  # an app that loads its own rules also follows new bundles
    engine = engine or build_engine(settings, cache_dir=start_cache_dir(settings.data_dir))
    if audit is None:
        audit = AuditStore.open(settings.data_dir)
        _prune_expired(audit, settings)
    # Forwarding runs on its own threads from the on-disk log: a check never waits for it.
    app.extensions["postguard"] = AppState(settings, engine, audit, versions(engine),
                                           forwarder=start_forwarding(settings, audit))

    # always_send=False: CORS headers only answer a request that carries an allowed Origin. A Firefox
    # add-on named by its ID is known by its uuid only at run time: CORS may answer any uuid, because
    # _guard refuses every origin it does not know before CORS sees the request.
    firefox = _firefox_addon_origins(settings)
    cors_origins = [*settings.allowed_origins, *([UUID_PATTERN] if firefox.ids else [])]
    CORS(app, resources={r"/v1/*": {"origins": cors_origins}}, always_send=False,
         allow_headers=["Content-Type", "Accept-Language"], methods=["GET", "POST"], max_age=600)

    @app.before_request
    def _guard():
        if is_review_request(request):  # the review page admits its own origin (review/guard.py)
            return
        check_request_source(request, settings.allowed_origins, settings.port, learned_origin=firefox.allows)

    if watch_bundles:
        from companion.deploy.reload import watch_bundles as start_bundle_watcher

        start_bundle_watcher(app.extensions["postguard"], settings)
    app.register_blueprint(routes.bp)
    from companion.central.relay import bp as approvals_relay

    app.register_blueprint(approvals_relay)  # /v1/approvals: asks the central service (when central_url is set)
    reader = SqliteAuditReader(audit)
    register_review(app, reader, settings, alerts=_start_alerts(settings, reader, audit))
    _announce_example_org(app)
    _register_error_handlers(app)
    return app


def _firefox_addon_origins(settings: Settings) -> FirefoxAddonOrigins:
    """The uuids Firefox gave the add-ons that `allowed_origins` names by ID, in this user's profiles."""
    from pathlib import Path

    return FirefoxAddonOrigins(addon_ids(settings.allowed_origins), profile_roots(Path.home()))


EXAMPLE_ORG_WARNING = ("this companion checks posts against the shipped EXAMPLE org (its client list, "
                       "competitors and products), not your organisation's: install your rule bundle "
                       "(docs/deploy.md, step 6) or set POSTGUARD_ORG_DIR")


def _announce_example_org(app: Flask) -> None:
    """Say so at start (log) and on the review page while the org lists are the shipped example's;
    /v1/health says it as `org.example`. A bundle installed later clears it without a restart."""
    state = app.extensions["postguard"]
    if routes.org_status_for(state).example:
        log.warning(EXAMPLE_ORG_WARNING)

    @app.context_processor
    def _example_org():
        return {"example_org": routes.org_status_for(state).example}


def _start_alerts(settings: Settings, reader: SqliteAuditReader, audit: AuditStore):
    """Stamp the company identity from IT's map and start the alert rules, when configured."""
    from companion.alerts import start_alerts
    from companion.audit.identity_map import identity_for, load_identity_map

    if settings.identity_map:
        mapping = load_identity_map(settings.identity_map)
        audit.set_company_identity(identity_for(mapping, audit.os_user, audit.host))
    return start_alerts(settings, reader, audit)


def _prune_expired(audit: AuditStore, settings: Settings) -> None:
    """Apply the retention at start; a prune that fails must not keep the companion down.

    Events a configured forwarding target has not confirmed are kept past the retention.
    """
    from companion.audit.retention import prune_as_configured

    try:
        result = prune_as_configured(audit, settings)
    except AuditError as exc:
        log.error("audit retention: %s", exc.message)
        return
    if result:
        log.info("audit retention: %s", result.summary())


def _register_error_handlers(app: Flask) -> None:
    """One error envelope everywhere; nothing from the request body is ever echoed."""

    @app.errorhandler(PostguardError)
    def _ours(exc: PostguardError):
        return jsonify(exc.to_dict()), exc.http_status

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        codes = {413: ("payload_too_large", "the request is larger than the companion accepts"),
                 404: ("not_found", "no such endpoint"), 405: ("method_not_allowed", "method not allowed")}
        code, message = codes.get(exc.code, ("http_error", exc.name))
        response = jsonify({"error": {"code": code, "message": message}})
        response.status_code = exc.code
        for name, value in exc.get_headers():  # Allow on a 405, Retry-After on a 429...
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # The exception text may quote input; log only where it happened.
        tb = exc.__traceback__
        while tb and tb.tb_next:
            tb = tb.tb_next
        where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else "?"
        log.error("internal error %s at %s", type(exc).__name__, where)
        return jsonify({"error": {"code": "internal_error", "message": "the check failed inside the "
                                  "companion; see its log"}}), 500
