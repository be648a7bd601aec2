"""The forwarding spool: which committed audit events each sink has not confirmed yet.

The events themselves already wait on disk: the audit log (`audit.sqlite3`, fsynced on
every commit) holds every event in `seq` order. The spool only keeps, per sink, the last
event the sink confirmed (`forward.sqlite3` in the data dir, `synchronous=FULL`). Pending
events are the ones after it. This gives us:

- nothing is lost between "committed" and "spooled". An event is spooled the moment it is
  committed, even if the process dies the next instant, and even if another process (the
  CLI) wrote it;
- the cursor moves only after a sink confirmed a batch, so a crash or an outage resends
  from the last confirmed event instead of skipping any;
- no second copy of the masked excerpts and justifications sits in another file.

The spool also holds the laptop id: a random id for this audit log, which the central
store and the SIEM use to tell laptops' chains apart (host names repeat and change).
If the audit log is replaced (deleted, restored from an old backup), the cursors no
longer match it. Then the log is forwarded from its start under a new laptop id, so two
different chains never share an id. The old id and its cursors stay on record
(`forward_replaced`): a log cut at its tail looks exactly like this, and `verify --against`
must still compare it with the chain the targets hold under the old id.

Each cursor also keeps the hash of the confirmed event, which target confirmed it and when:
the chain head as last anchored off the laptop, which the review page shows
(anchor_record.py reads it). The anchor that counts is the target's own copy, not this record, which
sits on the laptop (see `postguard audit verify --against`).

Retention pruning deletes old events. An event pruned before a sink confirmed it never
reaches that sink. The checkpoint event that records the prune is forwarded, and it says
how many events went.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import uuid
from pathlib import Path

from companion.audit.errors import AuditError
from companion.audit.events import utc_timestamp
from companion.audit.keys import prepare_data_dir
from companion.audit.schema import COLUMNS, DB_FILE_NAME, row_to_event

log = logging.getLogger("postguard.forward")

SPOOL_FILE_NAME = "forward.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS forward_identity (
    id INTEGER PRIMARY KEY CHECK (id = 1), laptop_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS forward_replaced (
    laptop_id TEXT NOT NULL, sink TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT, target TEXT,
    delivered_at TEXT NOT NULL, log_ended_at INTEGER NOT NULL, replaced_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS forward_cursor (
    sink TEXT PRIMARY KEY, seq INTEGER NOT NULL, event_id TEXT NOT NULL, delivered_at TEXT NOT NULL,
    hash TEXT, target TEXT
);
"""
# Columns added after the first release; a spool made before them gets them on open.
_ADDED_CURSOR_COLUMNS = ("hash", "target")


def _connect(path: Path) -> sqlite3.Connection:
    """Autocommit connection with the audit store's durability settings."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


class Spool:
    """Per-sink delivery cursors over the audit log of one data dir. Thread-safe."""

    def __init__(self, ledger: sqlite3.Connection, audit: sqlite3.Connection, laptop_id: str):
        """Use `Spool.open(data_dir)`."""
        self._ledger = ledger
        self._audit = audit
        self._lock = threading.Lock()
        self.laptop_id = laptop_id

    @classmethod
    def open(cls, data_dir: Path) -> "Spool":
        """Open the spool next to an existing audit log, checking the cursors still fit it."""
        data_dir = prepare_data_dir(Path(data_dir))
        audit_path, ledger_path = data_dir / DB_FILE_NAME, data_dir / SPOOL_FILE_NAME
        if not audit_path.is_file():
            raise AuditError(f"no audit log to forward in {data_dir}")
        if not ledger_path.exists():
            os.close(os.open(ledger_path, os.O_WRONLY | os.O_CREAT, 0o600))
        try:
            ledger, audit = _connect(ledger_path), _connect(audit_path)
            ledger.executescript(f"BEGIN IMMEDIATE;{_SCHEMA}COMMIT;")
            _add_missing_columns(ledger)
            spool = cls(ledger, audit, _laptop_id(ledger))
            spool._restart_if_log_replaced()
        except sqlite3.Error as exc:
            raise AuditError(f"cannot open the forwarding spool {ledger_path}: {exc}") from exc
        return spool

    def pending(self, sink: str, limit: int) -> list[dict]:
        """Up to `limit` events the sink has not confirmed, oldest first."""
        with self._lock:
            after = self._cursor_seq(sink)
            rows = self._audit.execute(
                f"SELECT {COLUMNS} FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?",
                (after, limit)).fetchall()
        return [row_to_event(row) for row in rows]

    def backlog(self, sink: str) -> int:
        """How many events wait for this sink."""
        with self._lock:
            return self._audit.execute("SELECT COUNT(*) FROM audit_events WHERE seq > ?",
                                       (self._cursor_seq(sink),)).fetchone()[0]

    def delivered_through(self, sink: str) -> int:
        """The seq of the last event this sink confirmed (0: none yet)."""
        with self._lock:
            return self._cursor_seq(sink)

    def mark_delivered(self, sink: str, last: dict, target: str | None = None) -> None:
        """Move the sink's cursor to `last`, durably, after the sink confirmed it.

        `target` is the sink's description (scheme, host, port), kept with the anchor.
        """
        with self._lock:
            self._ledger.execute(
                "INSERT INTO forward_cursor (sink, seq, event_id, delivered_at, hash, target) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sink) DO UPDATE SET seq = excluded.seq, "
                "event_id = excluded.event_id, delivered_at = excluded.delivered_at, hash = excluded.hash, "
                "target = excluded.target WHERE excluded.seq > forward_cursor.seq",
                (sink, last["seq"], last["event_id"], utc_timestamp(), last.get("hash"), target))

    def _cursor_seq(self, sink: str) -> int:
        row = self._ledger.execute("SELECT seq FROM forward_cursor WHERE sink = ?", (sink,)).fetchone()
        return row[0] if row else 0

    def _restart_if_log_replaced(self) -> None:
        """Reset every cursor, under a new laptop id, when the log is not the one they point into."""
        cursors = self._ledger.execute("SELECT sink, seq, event_id FROM forward_cursor").fetchall()
        if all(self._cursor_fits(seq, event_id) for _, seq, event_id in cursors):
            return
        previous, self.laptop_id = self.laptop_id, str(uuid.uuid4())
        newest = self._audit.execute("SELECT MAX(seq) FROM audit_events").fetchone()[0] or 0
        self._ledger.execute("BEGIN IMMEDIATE")
        # What the targets had confirmed stays on record: a cut tail looks just like this.
        self._ledger.execute(
            "INSERT INTO forward_replaced (laptop_id, sink, seq, hash, target, delivered_at, log_ended_at, "
            "replaced_at) SELECT ?, sink, seq, hash, target, delivered_at, ?, ? FROM forward_cursor",
            (previous, newest, utc_timestamp()))
        self._ledger.execute("DELETE FROM forward_cursor")
        self._ledger.execute("UPDATE forward_identity SET laptop_id = ? WHERE id = 1", (self.laptop_id,))
        self._ledger.execute("COMMIT")
        log.warning("the audit log is not the one forwarded before (cut, replaced or restored): it ends at "
                    "event %d; forwarding it from its start as laptop %s", newest, self.laptop_id)

    def _cursor_fits(self, seq: int, event_id: str) -> bool:
        """The cursor's event is in the log, or is gone (pruned) from a log that went on past it.

        A log that is shorter than the cursor, or holds another event at its seq, is a
        different log.
        """
        row = self._audit.execute("SELECT event_id FROM audit_events WHERE seq = ?", (seq,)).fetchone()
        if row is not None:
            return row[0] == event_id
        newest = self._audit.execute("SELECT MAX(seq) FROM audit_events").fetchone()[0] or 0
        return newest > seq

    def close(self) -> None:
        """Close both connections; safe to call more than once."""
        with self._lock:
            self._ledger.close()
            self._audit.close()


def _add_missing_columns(ledger: sqlite3.Connection) -> None:
    """Give a spool made by an older version the cursor columns added since."""
    have = {row[1] for row in ledger.execute("PRAGMA table_info(forward_cursor)")}
    for column in _ADDED_CURSOR_COLUMNS:
        if column not in have:
            try:
                ledger.execute(f"ALTER TABLE forward_cursor ADD COLUMN {column} TEXT")
            except sqlite3.OperationalError:  # another process added it a moment ago
                pass


def _laptop_id(ledger: sqlite3.Connection) -> str:
    """This log's laptop id, made once (INSERT OR IGNORE keeps the first of two racers)."""
    ledger.execute("INSERT OR IGNORE INTO forward_identity (id, laptop_id) VALUES (1, ?)",
                   (str(uuid.uuid4()),))
    return ledger.execute("SELECT laptop_id FROM forward_identity WHERE id = 1").fetchone()[0]


def first_unconfirmed_seq(data_dir: Path, sinks: list[str]) -> int | None:
    """The oldest seq one of `sinks` has not confirmed yet (None: no sinks).

    For retention: pruning at or past this seq deletes events a sink never received. It
    reads the cursors only, and a sink without a cursor has confirmed nothing.
    """
    if not sinks:
        return None
    path = Path(data_dir) / SPOOL_FILE_NAME
    if not path.is_file():
        return 1
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cursors = dict(conn.execute("SELECT sink, seq FROM forward_cursor").fetchall())
    except sqlite3.Error:
        return 1  # no cursor table yet: nothing confirmed
    finally:
        conn.close()
    return min(cursors.get(sink, 0) for sink in sinks) + 1

