"""The central service's tables, beside the audit store's own (`postguard_events`,
`postguard_laptops`, made by companion/audit/sinks/pg_schema.py).

- `postguard_enroll_codes`: codes IT hands out by policy; only a hash is stored, with how many
  laptops may still use the code and until when;
- `postguard_devices`: one row per enrolled laptop, its token as a hash, revoked or not;
- `postguard_device_laptops`: which audit-log ids (laptop_id) each device sends, so one laptop
  can never write into another's chain;
- `postguard_accounts`: reviewers and admins, argon2 hashes; `session_epoch` ends sessions;
- `postguard_signin_throttle`: wrong passwords in a row, per account and per address, shared by
  every instance;
- `postguard_approvals`: approval requests. `draft` (text, photos, findings) and `comment` are
  AES-GCM ciphertext, set to NULL when the retention after the decision has passed, or when a
  request waited longer than IT allows (status `expired`).

And the function behind one index of the review tool's search, `postguard_short_pieces()`; the
index itself (`postguard_events_search_why_short`) is built concurrently, apart from the tables,
by short_search.py: `central init-db` builds it and waits, a service starting without it builds it
in the background while it accepts events.
"""

from __future__ import annotations

from companion.audit.sinks.pg_index_build import IndexesNotBuilt
from companion.audit.sinks.pg_schema import ensure_schema as ensure_audit_schema
from companion.central import short_search
from companion.central.short_search import ensure_pieces_function

CENTRAL_TABLES = ("postguard_enroll_codes", "postguard_devices", "postguard_device_laptops",
                  "postguard_accounts", "postguard_signin_throttle", "postguard_approvals")

DDL = """
CREATE TABLE IF NOT EXISTS postguard_enroll_codes (
    code_hash TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    uses_left INTEGER NOT NULL CHECK (uses_left >= 0),
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS postguard_devices (
    device_id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    host TEXT, os_user TEXT, code_label TEXT,
    enrolled_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS postguard_device_laptops (
    laptop_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES postguard_devices (device_id)
);
CREATE TABLE IF NOT EXISTS postguard_accounts (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('reviewer', 'admin')),
    session_epoch INTEGER NOT NULL DEFAULT 0,
    disabled BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS postguard_signin_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure TIMESTAMPTZ NOT NULL,
    wait_until TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS postguard_approvals (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES postguard_devices (device_id),
    os_user TEXT, host TEXT, identity TEXT, platform TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'approved', 'rejected', 'changes_requested', 'expired')),
    content_hash TEXT NOT NULL,
    image_hashes JSONB NOT NULL,
    categories JSONB NOT NULL,
    draft BYTEA,
    comment BYTEA,
    decided_at TIMESTAMPTZ,
    decided_by TEXT,
    purge_after TIMESTAMPTZ,
    purged_at TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS postguard_approvals_queue ON postguard_approvals (status, created_at);
CREATE INDEX IF NOT EXISTS postguard_approvals_purge ON postguard_approvals (purge_after)
    WHERE draft IS NOT NULL;
"""


def central_tables_exist(conn) -> bool:
    """Whether every table of the central service is there."""
    row = conn.execute("SELECT " + " AND ".join(["to_regclass(%s) IS NOT NULL"] * len(CENTRAL_TABLES)),
                       CENTRAL_TABLES).fetchone()
    return bool(row[0])


def ensure_central_schema(conn, *, review_tables: bool = True) -> list[str]:
    """Create the audit store's tables, the service's own and the short-search index's function,
    once (an advisory lock lets two instances start together). The index is short_search.build's.
    With `review_tables` false, the review page's tables and indexes are left to the background
    build of a starting service (store_build.py); the reviewers' own tables are made here anyway.
    Returns what of the review page's tables and indexes could not be made, and why."""
    notes = ensure_audit_schema(conn, review_tables=review_tables)
    with conn.transaction():
        if not central_tables_exist(conn):
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('postguard_central_schema'))")
            if not central_tables_exist(conn):
                conn.execute(DDL)
    ensure_pieces_function(conn)
    return notes


def init_db(conn) -> list[str]:
    """What `central init-db` makes: the schema above with the review page's tables and indexes,
    then the short-search index, built concurrently (laptops' events keep arriving) and waited for.
    `conn` is in autocommit mode. Returns what could not be made, and why (each part is tried)."""
    notes = ensure_central_schema(conn)
    try:
        short_search.ensure(conn)
    except IndexesNotBuilt as exc:
        notes.extend(f"the index for short searches was not built: {why}" for why in exc.failed.values())
    return notes
