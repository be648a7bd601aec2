"""Retention: events older than `audit_retention_days` leave the local log, provably.

A prune deletes the oldest events and, in the same transaction, appends a `checkpoint`
event whose `details` say which seqs went (`pruned_first_seq`..`pruned_through_seq`,
`pruned_count`, their time span) and `pruned_head_hash`, the hash of the last pruned
event. Because that hash covers every event before it and the checkpoint itself is in
the chain, `verify()` checks the kept events from that anchor on: a prune is visible and
explained, while a deletion by hand still shows as "events N-M are missing".

The companion prunes at start; `postguard audit prune` prunes on demand. Retention 0
keeps everything. A log whose chain is already broken is never pruned (that would erase
the evidence); the error says where it breaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from companion.audit.store import AuditStore


@dataclass(frozen=True)
class PruneResult:
    """What one prune removed and the checkpoint that now stands for it."""

    pruned_count: int
    first_seq: int
    through_seq: int
    checkpoint_seq: int
    cutoff: str

    def summary(self) -> str:
        """One line for the CLI and the companion's log (no event content)."""
        span = (f"event {self.first_seq}" if self.first_seq == self.through_seq
                else f"events {self.first_seq}-{self.through_seq}")
        return (f"pruned {self.pruned_count} events older than {self.cutoff} ({span}); "
                f"checkpoint is event {self.checkpoint_seq}")


def retention_cutoff(retention_days: int, now: datetime | None = None) -> datetime | None:
    """The moment before which events are due for deletion; None when retention is off (0)."""
    if retention_days <= 0:
        return None
    return (now or datetime.now(timezone.utc)) - timedelta(days=retention_days)


def prune_expired(store: AuditStore, retention_days: int, *, now: datetime | None = None,
                  keep_from_seq: int | None = None) -> PruneResult | None:
    """Delete events older than the retention and append their checkpoint; None if none were due.

    `keep_from_seq`: the oldest event a forwarding target has not confirmed; it and every
    later event stay, so retention never deletes what the SIEM or central store still needs.
    """
    cutoff = retention_cutoff(retention_days, now)
    if cutoff is None:
        return None
    checkpoint = store.prune_before(cutoff, details={"reason": "retention", "retention_days": retention_days},
                                    keep_from_seq=keep_from_seq)
    if checkpoint is None:
        return None
    details = checkpoint["details"]
    return PruneResult(details["pruned_count"], details["pruned_first_seq"], details["pruned_through_seq"],
                       checkpoint["seq"], details["cutoff"])


def prune_as_configured(store: AuditStore, settings) -> PruneResult | None:
    """The configured retention, keeping what a configured forwarding target still needs.

    A target that is gone for good would keep events forever: remove it from the settings
    and the next prune proceeds.
    """
    from companion.audit.sinks.spool import first_unconfirmed_seq

    targets = [name for name, on in (("syslog", settings.syslog_target), ("postgres", settings.central_db),
                                     ("central_service", settings.central_url)) if on]
    keep_from = first_unconfirmed_seq(settings.data_dir, targets)
    return prune_expired(store, settings.audit_retention_days, keep_from_seq=keep_from)
