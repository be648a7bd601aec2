"""Reading the audit log for review: filters, keyset paging, daily counts.

The review page (`/audit`) and `postguard audit serve --db ...` read events through
`AuditReader`, implemented by the local SQLite store and by the central PostgreSQL
sink alike, so compliance sees the same page for one laptop and for the whole sales
force. Paging is by `seq` (keyset), never OFFSET, so a year of events stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Protocol

from companion.audit.chain import ChainReport
from companion.audit.events import utc_timestamp


@dataclass(frozen=True)
class EventFilter:
    """What the reviewer narrowed the table to; None means "any"."""

    since: datetime | None = None
    until: datetime | None = None
    user: str | None = None
    host: str | None = None
    platform: str | None = None
    category: str | None = None
    verdict: str | None = None
    action: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class DailyCount:
    """Checks with a finding of `category` on `day` (for the warnings-per-day chart)."""

    day: date
    category: str
    count: int


class AuditReader(Protocol):
    """Read access to an audit log, whatever stores it."""

    def query(self, flt: EventFilter, *, limit: int = 50, before_seq: int | None = None) -> list[dict]:
        """Matching events, newest first, with seq < before_seq when paging."""
        ...

    def count(self, flt: EventFilter) -> int:
        """How many events match (for "N events" above the table)."""
        ...

    def daily_counts(self, flt: EventFilter) -> list[DailyCount]:
        """Per day and category, how many checks found something."""
        ...

    def event(self, seq: int) -> dict | None:
        """One event by its seq, with every field, or None."""
        ...

    def verify(self) -> ChainReport:
        """The hash-chain status shown on the page."""
        ...


# Columns an EventFilter narrows by equality, and the filter field for each.
EQUALITY_FILTERS = (("os_user", "user"), ("host", "host"), ("platform", "platform"),
                    ("verdict", "verdict"), ("action", "action"), ("kind", "kind"))


def where_clause(flt: EventFilter, *, placeholder: str, category_clause: str,
                 category_param: Callable[[str], str]) -> tuple[str, list]:
    """A WHERE clause (always starting with WHERE) and its parameters, for any SQL store.

    Each store passes its placeholder ("?" or "%s") and how it tests category membership.
    """
    clauses, params = ["1 = 1"], []
    if flt.since is not None:
        clauses.append(f"ts >= {placeholder}")
        params.append(utc_timestamp(flt.since))
    if flt.until is not None:
        clauses.append(f"ts < {placeholder}")
        params.append(utc_timestamp(flt.until))
    for column, field in EQUALITY_FILTERS:
        value = getattr(flt, field)
        if value is not None:
            clauses.append(f"{column} = {placeholder}")
            params.append(value)
    if flt.category is not None:
        clauses.append(category_clause)
        params.append(category_param(flt.category))
    return "WHERE " + " AND ".join(clauses), params
