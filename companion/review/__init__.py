"""The audit review page at /audit, for compliance: who was warned about what, and what they did.

    register_review(app, reader, settings)   adds the page to an existing app (the companion)
    create_review_app(reader, settings)      an app with only the page (`postguard audit serve`)

Who may open it is the `access` object's say (access.py): by default the laptop's (loopback only,
the admin token, the page's own cookie); the central service passes one backed by its accounts,
sessions and CSRF token (companion/central/review_mount.py).

Both take any `AuditReader` (companion/audit/query.py): the local SQLite log or the central
PostgreSQL store. Access needs the admin token from `postguard audit token`; see
docs/audit.md for what the page shows and how it is protected.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Request, redirect, request
from werkzeug.exceptions import HTTPException

from companion.audit.query import AuditReader
from companion.config import Settings
from companion.errors import PostguardError
from companion.review.access import ReviewAccess, TokenAccess
from companion.review.auth import token_path
from companion.review.guard import add_security_headers, check_review_request
from companion.review.alert_words import TEMPLATE_FILTERS as ALERT_FILTERS
from companion.review.present import TEMPLATE_FILTERS
from companion.review.state import REVIEW_EXTENSION, ReviewState

__all__ = ["REVIEW_EXTENSION", "ReviewAccess", "TokenAccess", "create_review_app", "is_review_request",
           "register_review"]


def register_review(app: Flask, reader: AuditReader, settings: Settings, *,
                    source_label: str | None = None, token_file: Path | None = None,
                    workflow=None, alerts=None, access: ReviewAccess | None = None) -> None:
    """Serve the review page from `app`, reading events through `reader`.

    The admin token is the one in `settings.data_dir` unless `token_file` says otherwise.
    `workflow` keeps review entries and saved views. By default they go where the events are:
    review.sqlite3 in the data dir for the laptop's log, the central database's own tables for
    the central store (pg_workflow.py), so every reviewer of the fleet sees the same entries.
    `alerts` is the running alert service whose rules the settings page shows.
    `access` decides who may open the page (access.py); the default is the laptop's admin-token sign-in.
    """
    from companion.review import people_views, post_views  # noqa: F401  (their routes join bp)
    from companion.review.category_words import category_words
    from companion.review.views import bp

    category_words()  # the search's words for each category, read and checked once, at start

    label = source_label or f"Audit log on this computer ({settings.data_dir})"
    forwarding = bool(settings.syslog_target or settings.central_db)
    token_file = token_file or token_path(settings.data_dir)
    app.extensions[REVIEW_EXTENSION] = ReviewState(reader, token_file, settings.port, label, forwarding,
                                                   workflow=workflow or _default_workflow(reader, settings),
                                                   alerts=alerts, access=access or TokenAccess(token_file, settings.port))
    for name, function in {**TEMPLATE_FILTERS, **ALERT_FILTERS}.items():
        app.jinja_env.filters.setdefault(name, function)
    app.register_blueprint(bp)


def _default_workflow(reader: AuditReader, settings: Settings):
    """Review entries beside the events: the central database for the central store, else the data dir."""
    from companion.review.workflow import SqliteWorkflowStore

    if getattr(reader, "dialect", "sqlite") == "postgres":
        from companion.review.pg_workflow import PostgresWorkflowStore

        return PostgresWorkflowStore.open(reader.db.url)
    return SqliteWorkflowStore(settings.data_dir)


def is_review_request(req: Request) -> bool:
    """Whether a request is for the review page, which applies its own guard (guard.py)."""
    return req.blueprint == "review"


def create_review_app(reader: AuditReader, settings: Settings, *, source_label: str | None = None,
                      token_file: Path | None = None, workflow=None, alerts=None,
                      access: ReviewAccess | None = None) -> Flask:
    """A Flask app serving only the review page: no detection engine, no /v1 API.

    The same blueprint as the companion's (`register_review`); only the shell differs. It is not
    companion.app.create_app in another mode because that factory is the laptop's companion: it loads
    Presidio and spaCy, opens and prunes the laptop's own audit log, forwards it and serves /v1 to the
    extension, none of which a page over the central store (`postguard audit serve --db`) has or wants.
    """
    from companion.review.views import render_error

    from companion.review.i18n import template_context

    app = Flask(__name__)
    register_review(app, reader, settings, source_label=source_label, token_file=token_file,
                    workflow=workflow, alerts=alerts, access=access)
    app.context_processor(template_context)  # error pages of requests outside the blueprint

    @app.before_request
    def _guard():
        if not is_review_request(request):
            check_review_request(request, settings.port)

    @app.get("/")
    def _home():
        return redirect("/audit", 303)

    @app.errorhandler(PostguardError)
    def _ours(exc: PostguardError):
        return render_error(exc.http_status, exc.code, exc.message)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        headers = {name: value for name, value in exc.get_headers() if name.lower() != "content-type"}
        return render_error(exc.code or 500, "http_error", exc.name, headers)  # Allow on a 405

    app.after_request(add_security_headers)
    return app
