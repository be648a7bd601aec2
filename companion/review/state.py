"""What the review blueprint needs from its app: a reader, the token file, the port, a label,
and the sign-in throttle.

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


def review_state() -> ReviewState:
    """The state of the app handling the current request."""
    return current_app.extensions[REVIEW_EXTENSION]
