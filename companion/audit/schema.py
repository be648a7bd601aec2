"""How audit events sit in SQLite: the schema, its triggers, and row <-> event conversion.

Kept apart from store.py so the table layout can be read (and later migrated, or mirrored
by the PostgreSQL sink) in one place. `SCHEMA_VERSION` goes into PRAGMA user_version.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from companion.audit.chain import ChainLink, canonical_json
from companion.audit.events import EVENT_FIELDS, JSON_FIELDS

DB_FILE_NAME = "audit.sqlite3"
SCHEMA_VERSION = 2  # 2: the `reaction` kind
COLUMNS = ", ".join(EVENT_FIELDS)

# Retention pruning drops this trigger, deletes the oldest events and recreates it, all inside
# one transaction that also appends the checkpoint (store.prune_before): the only delete path.
NO_DELETE_TRIGGER = ("CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events\n"
                     "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;")

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_events (
    seq INTEGER PRIMARY KEY,  -- assigned from the head, so a deleted newest event leaves a gap
    event_id TEXT NOT NULL UNIQUE,
    ts TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('check', 'decision', 'checkpoint', 'reaction')),
    os_user TEXT, host TEXT, platform TEXT, scan_id TEXT, url_host TEXT, verdict TEXT,
    categories TEXT, rules TEXT, counts TEXT, excerpts TEXT, value_hashes TEXT,
    ocr_incomplete INTEGER, action TEXT, justification TEXT, details TEXT, versions TEXT,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_events_ts ON audit_events (ts);
CREATE INDEX IF NOT EXISTS audit_events_scan ON audit_events (scan_id, kind);
-- the review page's person (company identity, else OS account): companion/review/sql.py
CREATE INDEX IF NOT EXISTS audit_events_person ON audit_events
    (COALESCE((CASE WHEN json_valid(details) THEN json_extract(details, '$.identity') END), os_user), ts);
CREATE TABLE IF NOT EXISTS audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
{no_delete}
CREATE TRIGGER IF NOT EXISTS audit_head_forward_only BEFORE UPDATE ON audit_head
WHEN NEW.seq <= OLD.seq BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward'); END;
CREATE TRIGGER IF NOT EXISTS audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'the audit head cannot be deleted'); END;
""".format(no_delete=NO_DELETE_TRIGGER)


_KINDS_V1 = "CHECK (kind IN ('check', 'decision', 'checkpoint'))"
_KINDS_V2 = "CHECK (kind IN ('check', 'decision', 'checkpoint', 'reaction'))"


def admit_reaction_kind(conn: sqlite3.Connection) -> None:
    """Widen a version-1 log's CHECK on `kind` to admit reaction events, in place.

    Widening a CHECK constraint changes no stored row, so SQLite allows it by editing the table's
    definition (sqlite.org/lang_altertable.html, "writable_schema"); every existing row already
    satisfies the wider check. Copying the table instead would have to lift the append-only
    triggers. Done once, in one transaction, and verified by an integrity check.
    """
    row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'").fetchone()
    if row is None or _KINDS_V1 not in row[0]:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA schema_version").fetchone()[0]
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'audit_events'",
                     (row[0].replace(_KINDS_V1, _KINDS_V2),))
        conn.execute(f"PRAGMA schema_version = {version + 1}")
        conn.execute("PRAGMA writable_schema = OFF")
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("integrity check failed after widening the kind check")
        conn.execute("COMMIT")
    except sqlite3.Error:
        conn.execute("ROLLBACK")
        raise


def connect(db_path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (we write BEGIN/COMMIT) with durable settings."""
    conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False, timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    # A reader (verify, export) can hold the WAL open for a while; cap what stays on disk after.
    conn.execute("PRAGMA journal_size_limit=4194304")
    return conn


def row_to_event(row: tuple) -> dict:
    """A row as the event dict every consumer sees: JSON fields parsed, flags as bools."""
    event = dict(zip(EVENT_FIELDS, row))
    for name in JSON_FIELDS:
        if event[name] is not None:
            event[name] = _loads(event[name])
    if event["ocr_incomplete"] is not None:
        event["ocr_incomplete"] = bool(event["ocr_incomplete"])
    return event


def _loads(text: str):
    """Parse a JSON column; a mangled one stays a string so verify reports it as edited."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def event_to_row(event: dict) -> tuple:
    """The event as SQLite column values, JSON fields in canonical form."""
    return tuple(
        canonical_json(event[name]) if name in JSON_FIELDS and event[name] is not None
        else event[name]
        for name in EVENT_FIELDS
    )


def read_head(conn: sqlite3.Connection) -> ChainLink | None:
    """The recorded end of the chain, or None for a new (or head-less) log."""
    row = conn.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    return ChainLink(row[0], row[1]) if row else None
