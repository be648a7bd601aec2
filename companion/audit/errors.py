"""Errors the audit store raises, each carrying its own HTTP status and CLI exit code.

    AuditError                the store cannot record or read events (disk, lock, schema)
    └── AuditKeyError         the key file exists but is unusable

Messages name files and SQLite's own wording; they never include event content, so they
are safe to log and to return in the `{"error": {"code", "message"}}` envelope.
"""

from __future__ import annotations

from companion.errors import PostguardError


class AuditError(PostguardError):
    """The audit store failed; a check must not be reported as audited when this is raised."""

    code = "audit_unavailable"
    http_status = 503
    exit_code = 3


class AuditKeyError(AuditError):
    """The key file exists but cannot be used; regenerating it would break correlation."""

    code = "audit_key_invalid"
