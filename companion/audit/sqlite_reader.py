"""`AuditReader` over the local SQLite store: what the review page at /audit reads.

Each call opens its own read-only connection, so a page view sees one consistent WAL
snapshot, never blocks the companion's writes, and can never change the log.

Semantics shared with the PostgreSQL reader (the page relies on them):
- `since` is inclusive, `until` exclusive (the page passes midnight after the last day);
  naive datetimes mean local time, as in `AuditStore.events`.
- `category` matches an event whose `categories` list holds that name.
- Daily counts group check events by their UTC day (`ts` is UTC).

`verify()` walks the whole chain, which takes a while on a large log; the result is kept
until SQLite reports that someone (the companion, the CLI, or a person with the sqlite3
shell) committed a change, or for `VERIFY_MAX_AGE_S` at most.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import date

from companion.audit.chain import ChainReport
from companion.audit.errors import AuditError
from companion.audit.query import DailyCount, EventFilter, where_clause
from companion.audit.schema import COLUMNS, row_to_event
from companion.audit.sinks.anchor_record import Anchor, Replacement, read_anchors, read_replacements
from companion.audit.store import AuditStore

VERIFY_MAX_AGE_S = 60.0
def filter_sql(flt: EventFilter) -> tuple[str, list]:
    """A WHERE clause (always starting with WHERE) and its parameters for `flt`."""
    # categories is canonical JSON of plain names, so the quoted name is an exact match;
    # instr (not json_each) keeps working on a row someone mangled by hand.
    return where_clause(flt, placeholder="?", category_clause="instr(categories, ?) > 0",
                        category_param=lambda c: f'"{c}"')


class SqliteAuditReader:
    """Read access to one `AuditStore`'s database for review; safe to share between threads."""

    dialect = "sqlite"  # the review page's post and people queries (companion/review/sql.py)

    def __init__(self, store: AuditStore):
        """Read the database `store` writes; `verify` is the store's own chain walk."""
        self._store = store
        self._uri = f"file:{store.db_path}?mode=ro"
        self._verify_lock = threading.Lock()
        self._verified: tuple[int, float, ChainReport] | None = None
        self._watch: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        """A fresh read-only connection (cheap for SQLite; one per call keeps threads apart)."""
        try:
            return sqlite3.connect(self._uri, uri=True, timeout=10, check_same_thread=False)
        except sqlite3.Error as exc:
            raise AuditError(f"cannot read the audit database {self._store.db_path}: {exc}") from exc

    def _rows(self, sql: str, params: list) -> list[tuple]:
        """Run one read query, turning SQLite errors into the store's own error."""
        conn = self._connect()
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise AuditError(f"cannot read the audit database {self._store.db_path}: {exc}") from exc
        finally:
            conn.close()

    def rows(self, sql: str, params: list) -> list[tuple]:
        """One read-only query of the review page's own (companion/review/sql.py)."""
        return self._rows(sql, params)

    def query(self, flt: EventFilter, *, limit: int = 50, before_seq: int | None = None) -> list[dict]:
        """Matching events, newest first; with `before_seq`, only those older than it."""
        where, params = filter_sql(flt)
        if before_seq is not None:
            where += " AND seq < ?"
            params.append(before_seq)
        rows = self._rows(f"SELECT {COLUMNS} FROM audit_events {where} ORDER BY seq DESC LIMIT ?",
                          [*params, max(0, limit)])
        return [row_to_event(row) for row in rows]

    def count(self, flt: EventFilter) -> int:
        """How many events match `flt`."""
        where, params = filter_sql(flt)
        return self._rows(f"SELECT COUNT(*) FROM audit_events {where}", params)[0][0]

    def daily_counts(self, flt: EventFilter) -> list[DailyCount]:
        """Per UTC day and category, how many checks found something of that category."""
        where, params = filter_sql(flt)
        only = ""
        if flt.category is not None:
            only = "WHERE found.value = ?"
            params.append(flt.category)
        rows = self._rows(
            "SELECT substr(e.ts, 1, 10) AS day, found.value AS category, COUNT(*) FROM "
            f"(SELECT ts, categories FROM audit_events {where} AND kind = 'check' "
            "AND json_valid(categories) AND categories != '[]') AS e, "
            f"json_each(e.categories) AS found {only} GROUP BY day, category ORDER BY day, category",
            params)
        return [DailyCount(date.fromisoformat(day), str(category), count)
                for day, category, count in rows if isinstance(category, str)]

    def event(self, seq: int) -> dict | None:
        """One event with every field, or None when there is no such seq."""
        rows = self._rows(f"SELECT {COLUMNS} FROM audit_events WHERE seq = ?", [seq])
        return row_to_event(rows[0]) if rows else None

    def scan_events(self, scan_id: str) -> list[dict]:
        """The check and decisions of one post (same scan_id), oldest first."""
        rows = self._rows(f"SELECT {COLUMNS} FROM audit_events WHERE scan_id = ? ORDER BY seq",
                          [scan_id])
        return [row_to_event(row) for row in rows]

    def anchors(self) -> list[Anchor]:
        """Per forwarding target, the newest event it confirmed and when (the spool's record)."""
        return read_anchors(self._store.db_path.parent)

    def replacements(self) -> list[Replacement]:
        """Each time the log stopped fitting what a target had confirmed (cut or replaced)."""
        return read_replacements(self._store.db_path.parent)

    def verify(self) -> ChainReport:
        """The chain status, recomputed whenever the database changed since the last walk."""
        with self._verify_lock:
            version = self._data_version()
            cached = self._verified
            if cached and cached[0] == version and time.monotonic() - cached[1] < VERIFY_MAX_AGE_S:
                return cached[2]
            report = self._store.verify()
            self._verified = (version, time.monotonic(), report)
            return report

    def _data_version(self) -> int:
        """SQLite's counter of commits by other connections, seen from one long-lived connection."""
        if self._watch is None:
            self._watch = self._connect()
        try:
            return self._watch.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error as exc:
            raise AuditError(f"cannot read the audit database {self._store.db_path}: {exc}") from exc

    def close(self) -> None:
        """Close the change-watching connection; the store itself belongs to its opener."""
        with self._verify_lock:
            if self._watch is not None:
                self._watch.close()
                self._watch = None
