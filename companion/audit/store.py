"""The embedded audit log: every check and decision, append-only, in SQLite in the data dir.

Durability: WAL journal, synchronous=FULL, and each `record_*` commits before it returns,
so an event the companion has acknowledged survives `kill -9` (and, with fsync, power loss).

Tamper evidence: events form a hash chain (see chain.py); triggers refuse UPDATE and DELETE
so nothing in Postguard can rewrite history by accident, and `verify()` still catches
someone who drops the triggers with the sqlite3 shell.

Concurrency: one connection guarded by a lock serves all threads of the waitress server;
BEGIN IMMEDIATE around "read head, append, move head" keeps the chain linear even when the
CLI and the server write to the same file from two processes.
"""

from __future__ import annotations

import getpass
import logging
import os
import socket
import sqlite3
import threading
import uuid
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from companion.audit.chain import GENESIS, ChainLink, ChainReport, anchor_from_checkpoints, \
    event_hash, verify_chain
from companion.audit.errors import AuditError
from companion.audit.events import EVENT_FIELDS, check_event, decision_event, reaction_event, utc_timestamp
from companion.audit.identity_map import valid_email
from companion.audit.keys import load_or_create_key, prepare_data_dir
from companion.audit.schema import COLUMNS, DB_FILE_NAME, NO_DELETE_TRIGGER, SCHEMA, SCHEMA_VERSION, \
    admit_reaction_kind, connect, event_to_row, read_head, row_to_event
from companion.detection.types import ScanResult

log = logging.getLogger("postguard")

# Rows fetched per lock hold while iterating, so a long export never stalls a check.
READ_BATCH = 500


def _local_identity() -> dict:
    """Who and where: the OS account and machine name stamped on every event."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no USER variable, e.g. in containers
        user = f"uid:{os.getuid()}"
    return {"os_user": user, "host": socket.gethostname()}


class AuditStore:
    """Append-only, hash-chained audit log for one data dir. Safe to share between threads."""

    def __init__(self, db_path: Path, key: bytes, conn: sqlite3.Connection):
        """Use `AuditStore.open(data_dir)`; this only wires already-prepared parts together."""
        self.db_path = db_path
        self._key = key
        self._conn = conn
        self._lock = threading.Lock()
        self._delivery_lock = threading.Lock()  # reaction deliveries: look up and append as one step
        self._identity = _local_identity()
        self._closed = False
        self._listeners: list[Callable[[dict], None]] = []
        self._company_identity: str | None = None  # from IT's identity map (identity_map.py)

    @classmethod
    def open(cls, data_dir: Path) -> "AuditStore":
        """Open (creating on first use) the key and database in a private data dir."""
        data_dir = prepare_data_dir(Path(data_dir))
        key = load_or_create_key(data_dir)
        db_path = data_dir / DB_FILE_NAME
        if not db_path.exists():  # an empty 0600 file is a valid new database
            os.close(os.open(db_path, os.O_WRONLY | os.O_CREAT, 0o600))
        conn = None
        try:
            conn = connect(db_path)
            # One script, one transaction: two processes opening a new log at once cannot
            # interleave; IF NOT EXISTS also restores triggers someone dropped.
            conn.executescript(f"BEGIN IMMEDIATE;{SCHEMA}COMMIT;")
            admit_reaction_kind(conn)  # a log from before reaction events
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise AuditError(f"cannot open the audit database {db_path}: {exc}") from exc
        return cls(db_path, key, conn)

    @property
    def journal_mode(self) -> str:
        """"wal" normally; some network file systems force SQLite back to a rollback journal."""
        with self._lock:
            return self._conn.execute("PRAGMA journal_mode").fetchone()[0]

    @property
    def os_user(self) -> str:
        """The OS account stamped on events."""
        return self._identity["os_user"]

    @property
    def host(self) -> str:
        """The computer's name stamped on events."""
        return self._identity["host"]

    def set_company_identity(self, email: str | None) -> None:
        """The person's company email for events whose request did not name one."""
        self._company_identity = valid_email(email)

    def _stamp(self, event: dict, identity: str | None) -> dict:
        """Put the company identity in `details.identity`: the browser profile's, else the map's."""
        email = valid_email(identity) or self._company_identity
        if email:
            event["details"] = {**(event.get("details") or {}), "identity": email}
        return event

    def record_check(
        self, *, scan_id: str, platform: str, url_host: str | None, result: ScanResult,
        versions: dict, identity: str | None = None, acting: tuple[str, bool] | None = None,
    ) -> dict:
        """Append the event for one check; it is committed to disk when this returns.
        `acting` is (who the user acted as on the site, whether that is a company identity)."""
        event = check_event(
            key=self._key, identity=self._identity, scan_id=scan_id, platform=platform,
            url_host=url_host, result=result, versions=versions, acting=acting,
        )
        return self._append(self._stamp(event, identity))

    def record_decision(
        self, *, scan_id: str, action: str, justification: str | None,
        platform: str | None = None, identity: str | None = None, details: dict | None = None,
    ) -> dict:
        """Append what the user did after check `scan_id` (post anyway, edit, cancel, ask for approval...);
        `details` holds ids and hashes only."""
        event = decision_event(
            identity=self._identity, scan_id=scan_id, action=action,
            justification=justification, platform=platform, check=self._latest_check(scan_id),
            details=details,
        )
        return self._append(self._stamp(event, identity))

    def record_reaction(self, **fields) -> dict:
        """Append a reaction event (see `events.reaction_event` for the fields and what is hashed).

        With a `delivery_id` already recorded (the extension delivering again after a lost answer,
        or from its offline queue), nothing is appended and the first event comes back, marked
        `duplicate`: each reaction is in the log once."""
        delivery_id = fields.get("delivery_id")
        if not delivery_id:
            return self._append(reaction_event(key=self._key, identity=self._identity, **fields))
        with self._delivery_lock:
            earlier = self.reaction_delivered(delivery_id)
            if earlier:
                return {"event_id": earlier, "duplicate": True}
            return self._append(reaction_event(key=self._key, identity=self._identity, **fields))

    def reaction_delivered(self, delivery_id: str, window: int = 20000) -> str | None:
        """The event id of a reaction already recorded under the extension's `delivery_id`, looked for
        among the last `window` events (a queued reaction is retried within far fewer), or None."""
        with self._lock:
            self._ensure_open()
            row = self._conn.execute(
                "SELECT event_id FROM audit_events WHERE kind = 'reaction' "
                "AND seq > (SELECT COALESCE(MAX(seq), 0) FROM audit_events) - ? "
                "AND json_valid(details) AND json_extract(details, '$.delivery_id') = ? "
                "ORDER BY seq DESC LIMIT 1", (window, delivery_id),
            ).fetchone()
        return row[0] if row else None

    def has_scan(self, scan_id: str) -> bool:
        """Whether a check with this id was recorded, so a decision can refer to it."""
        return self._latest_check(scan_id) is not None

    def _latest_check(self, scan_id: str) -> dict | None:
        """The newest check event for `scan_id`, if any."""
        with self._lock:
            self._ensure_open()
            row = self._conn.execute(
                f"SELECT {COLUMNS} FROM audit_events WHERE scan_id = ? AND kind = 'check' "
                "ORDER BY seq DESC LIMIT 1", (scan_id,),
            ).fetchone()
        return row_to_event(row) if row else None

    def _append(self, event: dict) -> dict:
        """Link `event` to the head, insert it and move the head, all in one transaction."""
        with self._lock:
            self._ensure_open()
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                self._link_and_insert(event)
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise AuditError(f"cannot record the audit event: {exc}") from exc
        self._notify(event)
        return event

    def add_listener(self, listener: Callable[[dict], None]) -> None:
        """Call `listener(event)` after each event this store commits (e.g. the forwarder).

        Listeners run on the writer's thread after COMMIT, never before, so they only see
        events that are on disk. They must return at once: a check waits for them.
        """
        self._listeners.append(listener)

    def _notify(self, event: dict) -> None:
        """Tell the listeners about a committed event; a failing listener never fails the write."""
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception as exc:  # noqa: BLE001 - the event is already safely recorded
                log.error("audit listener failed (%s)", type(exc).__name__)

    def _link_and_insert(self, event: dict) -> None:
        """Inside the caller's transaction: chain `event` to the head, insert it, move the head."""
        head = read_head(self._conn) or self._head_from_rows()
        event["seq"] = head.seq + 1
        event["prev_hash"] = head.hash
        event["hash"] = event_hash(event, head.hash)
        self._conn.execute(
            f"INSERT INTO audit_events ({COLUMNS}) VALUES "
            f"({', '.join('?' * len(EVENT_FIELDS))})", event_to_row(event),
        )
        self._conn.execute(
            "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) "
            "DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
            (event["seq"], event["hash"]),
        )

    def prune_before(self, cutoff: datetime, *, details: dict | None = None,
                     keep_from_seq: int | None = None) -> dict | None:
        """Delete the oldest events stamped before `cutoff` and append the checkpoint for them.

        Only a run from the start of the log is deleted (the first event at or after
        `cutoff` and everything after it stay), so the kept events still link to each other
        and to the checkpoint's `pruned_head_hash`. Refuses, changing nothing, when the
        chain is already broken: pruning the broken part would hide the tampering.
        Events at or after `keep_from_seq` stay whatever their age (not yet forwarded).
        Returns the checkpoint event, or None when nothing is old enough.
        """
        with self._lock:
            self._ensure_open()
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                checkpoint = self._prune_locked(utc_timestamp(cutoff), details or {}, keep_from_seq)
                self._conn.execute("COMMIT" if checkpoint else "ROLLBACK")
            except (sqlite3.Error, AuditError) as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                if isinstance(exc, AuditError):
                    raise
                raise AuditError(f"cannot prune the audit log: {exc}") from exc
            if checkpoint:  # best effort: empty the WAL, which still holds the pruned pages
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if checkpoint:
            self._notify(checkpoint)  # forwarded like any event: the central chain needs it too
        return checkpoint

    def _prune_locked(self, cutoff_ts: str, details: dict, keep_from_seq: int | None) -> dict | None:
        """Inside the write transaction: the delete and the checkpoint, or None if nothing is due."""
        first = self._conn.execute("SELECT MIN(seq), MAX(seq) FROM audit_events").fetchone()
        kept = self._conn.execute("SELECT MIN(seq) FROM audit_events WHERE ts >= ? OR seq >= ?",
                                  (cutoff_ts, keep_from_seq or 2**62)).fetchone()[0]
        if first[0] is None or kept == first[0]:
            return None
        through = first[1] if kept is None else kept - 1
        report = self.verify()  # its own snapshot; our write lock keeps it current
        if not report.ok:
            raise AuditError(f"not pruning: the hash chain is broken at event {report.first_broken} "
                             f"({report.reason}); pruning would hide it. Export the log and investigate.")
        last = self._conn.execute("SELECT hash, ts FROM audit_events WHERE seq = ?", (through,)).fetchone()
        oldest_ts = self._conn.execute("SELECT ts FROM audit_events WHERE seq = ?", (first[0],)).fetchone()[0]
        self._conn.execute("PRAGMA secure_delete = ON")  # pruned excerpts must not linger in free pages
        self._conn.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
        deleted = self._conn.execute("DELETE FROM audit_events WHERE seq <= ?", (through,)).rowcount
        self._conn.execute(NO_DELETE_TRIGGER)
        checkpoint = dict.fromkeys(EVENT_FIELDS)
        checkpoint.update(event_id=str(uuid.uuid4()), ts=utc_timestamp(), kind="checkpoint", **self._identity,
                          details={**details, "pruned_first_seq": first[0], "pruned_through_seq": through,
                                   "pruned_count": deleted, "pruned_head_hash": last[0],
                                   "pruned_from_ts": oldest_ts, "pruned_to_ts": last[1], "cutoff": cutoff_ts})
        self._link_and_insert(checkpoint)
        return checkpoint

    def _head_from_rows(self) -> ChainLink:
        """Continue after the newest row when the head record is absent (new or tampered log)."""
        row = self._conn.execute(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone()
        return ChainLink(row[0], row[1]) if row else ChainLink(0, GENESIS)

    def events(
        self, *, since: datetime | None = None, limit: int | None = None,
    ) -> Iterator[dict]:
        """Events in seq order; `since` keeps those at or after a time (naive = local time),
        `limit` keeps the newest N of those. Reads in batches so writers are never stalled."""
        where, params = ("WHERE ts >= ?", [utc_timestamp(since)]) if since else ("", [])
        after = self._start_after(where, params, limit)
        remaining = limit
        while remaining is None or remaining > 0:
            batch_size = READ_BATCH if remaining is None else min(READ_BATCH, remaining)
            clause = f"{where} AND seq > ?" if where else "WHERE seq > ?"
            with self._lock:
                self._ensure_open()
                rows = self._conn.execute(
                    f"SELECT {COLUMNS} FROM audit_events {clause} ORDER BY seq LIMIT ?",
                    (*params, after, batch_size),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield row_to_event(row)
            after = rows[-1][0]
            remaining = None if remaining is None else remaining - len(rows)

    def _start_after(self, where: str, params: list, limit: int | None) -> int:
        """The seq to start after so that only the newest `limit` matching events follow."""
        if limit is None:
            return 0
        if limit <= 0:
            return 2**62
        with self._lock:
            self._ensure_open()
            row = self._conn.execute(
                f"SELECT seq FROM audit_events {where} ORDER BY seq DESC LIMIT 1 OFFSET ?",
                (*params, limit),
            ).fetchone()
        return row[0] if row else 0

    def verify(self) -> ChainReport:
        """Recompute the whole chain from one consistent snapshot and report the first break.

        Uses its own connection: a WAL read transaction sees a fixed snapshot of events and
        head while the server keeps appending, without blocking it.
        """
        self._ensure_open()
        conn = sqlite3.connect(self.db_path, isolation_level=None, timeout=10)
        try:
            conn.execute("BEGIN")
            head = read_head(conn)
            first = conn.execute("SELECT MIN(seq) FROM audit_events").fetchone()[0]
            anchor = self._anchor(conn, first)
            rows = conn.execute(f"SELECT {COLUMNS} FROM audit_events ORDER BY seq")
            report = verify_chain((row_to_event(r) for r in rows), head=head, anchor=anchor)
            conn.execute("COMMIT")
            return report
        except sqlite3.Error as exc:
            raise AuditError(f"cannot read the audit database {self.db_path}: {exc}") from exc
        finally:
            conn.close()

    @staticmethod
    def _anchor(conn: sqlite3.Connection, first_seq: int | None) -> ChainLink | None:
        """Where a pruned log starts, as vouched for by a (chained) checkpoint event."""
        if not first_seq or first_seq == 1:
            return None
        rows = conn.execute(
            f"SELECT {COLUMNS} FROM audit_events WHERE kind = 'checkpoint' ORDER BY seq DESC")
        return anchor_from_checkpoints((row_to_event(r) for r in rows), first_seq)

    def _ensure_open(self) -> None:
        """Fail clearly instead of with SQLite's 'closed database' after `close()`."""
        if self._closed:
            raise AuditError("the audit store is closed")

    def close(self) -> None:
        """Close the connection; safe to call more than once."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

