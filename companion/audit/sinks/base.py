"""What an audit sink is, and the errors forwarding raises.

A sink receives batches of committed audit events, in `seq` order, and either takes the
whole batch or raises `SinkUnavailable`. Then the batch stays in the spool and is sent
again later. So a sink must tolerate receiving a batch twice: PostgreSQL inserts by
`event_id`, and syslog collectors can dedupe on `event_id` in the structured data.

    PostguardError (companion.errors)
    ├── ConfigError                 a target that can never work (bad URL, unreadable CA file)
    └── SinkUnavailable             a batch was not confirmed; it is retried with backoff
        └── CentralStoreUnavailable PostgreSQL cannot be reached or used

Messages name the target (scheme, host, port, database, user), never a password or
anything from an event.
"""

from __future__ import annotations

from typing import Protocol, Sequence

from companion.errors import PostguardError


class SinkUnavailable(PostguardError):
    """The sink did not confirm a batch; the events stay spooled and are sent again."""

    code = "sink_unavailable"
    http_status = 503
    exit_code = 3


class CentralStoreUnavailable(SinkUnavailable):
    """The central PostgreSQL store cannot be reached or used as configured."""

    code = "central_store_unavailable"


class Sink(Protocol):
    """Somewhere audit events are forwarded to (a SIEM, the central store)."""

    name: str  # key of this sink's place in the spool, e.g. "syslog"

    def describe(self) -> str:
        """The target as safe to log: scheme, host and port, never a password."""
        ...

    def deliver(self, events: Sequence[dict], laptop_id: str) -> None:
        """Hand over `events` (seq order) or raise SinkUnavailable; all or nothing."""
        ...

    def close(self) -> None:
        """Release connections; safe to call more than once."""
        ...
