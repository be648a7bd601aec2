"""What the review blueprint needs from its app: a reader, the token file, the port, a label,
the sign-in throttle, the workflow store and the alerts.

Kept in `app.extensions["postguard_review"]` so the companion (local SQLite log) and
`postguard audit serve` (central PostgreSQL store) plug different readers into one page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from companion.audit.query import AuditReader
from companion.review.throttle import SignInThrottle

REVIEW_EXTENSION = "postguard_review"


@dataclass
class ReviewState:
    """The review page's per-app state."""

    reader: AuditReader
    token_file: Path
    port: int
    source_label: str
    forwarding: bool = False  # a forwarding target is set, so the head should get anchored
    throttle: SignInThrottle = field(default_factory=SignInThrottle)  # wrong tokens per client
    workflow: object = None  # review entries and saved views (workflow.py): reviewed, assigned, comments
    alerts: object = None    # the alert rules and what they sent (companion/alerts), for the settings page
    access: object = None    # who may open the page and how they sign in (access.py); TokenAccess by default


def review_state() -> ReviewState:
    """The state of the app handling the current request."""
    return current_app.extensions[REVIEW_EXTENSION]
