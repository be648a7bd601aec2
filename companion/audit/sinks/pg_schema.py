"""The central store's tables in PostgreSQL: every laptop's events, and each laptop's head.

`postguard_events` has the local log's fields as columns (JSONB for lists and dicts, so
compliance can query it with SQL), plus:
- `laptop_id`: which laptop's chain the row belongs to (see spool.py);
- `canonical`: the event's canonical JSON exactly as the laptop hashed it. Verification and
  the review page read this column, so a change to a column used only for filtering doesn't
  go unnoticed: verify compares the two;
- `id`: the central row number, which the review page pages by.

The review page's posts and people queries use the scan index (a post's decisions) and the
person index (company identity, else OS account). Its own tables (a row per post, daily and
monthly counts) and search indexes are in pg_review_tables.py; `ensure_schema` adds them to a
store made before they existed.

`postguard_laptops` records each laptop's newest seq and hash in the same transaction as
its events, so rows deleted from the end of a chain show up as missing, as in the local
log. A trigger refuses UPDATE and DELETE on events.
"""

from __future__ import annotations

from companion.audit.events import EVENT_FIELDS

EVENTS_TABLE = "postguard_events"
LAPTOPS_TABLE = "postguard_laptops"

# Columns written by the sink, in order; EVENT_FIELDS keep their names.
INSERT_COLUMNS: tuple[str, ...] = ("laptop_id", *EVENT_FIELDS, "canonical")

DDL = """
CREATE TABLE IF NOT EXISTS postguard_events (
    id BIGSERIAL PRIMARY KEY,
    laptop_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    event_id TEXT NOT NULL UNIQUE,
    ts TEXT NOT NULL,
    kind TEXT NOT NULL,
    os_user TEXT, host TEXT, platform TEXT, scan_id TEXT, url_host TEXT, verdict TEXT,
    categories JSONB, rules JSONB, counts JSONB, excerpts JSONB, value_hashes JSONB,
    ocr_incomplete BOOLEAN, action TEXT, justification TEXT, details JSONB, versions JSONB,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
    canonical TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (laptop_id, seq)
);
CREATE INDEX IF NOT EXISTS postguard_events_newest ON postguard_events (ts DESC, id DESC);
CREATE INDEX IF NOT EXISTS postguard_events_categories ON postguard_events USING GIN (categories);
CREATE INDEX IF NOT EXISTS postguard_events_user ON postguard_events (os_user, ts DESC);
CREATE INDEX IF NOT EXISTS postguard_events_scan ON postguard_events (scan_id, kind);
CREATE INDEX IF NOT EXISTS postguard_events_person ON postguard_events ((COALESCE(details->>'identity', os_user)), ts DESC);
CREATE TABLE IF NOT EXISTS postguard_laptops (
    laptop_id TEXT PRIMARY KEY,
    host TEXT, os_user TEXT,
    first_seq BIGINT NOT NULL, head_seq BIGINT NOT NULL, head_hash TEXT NOT NULL,
    last_seen TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE OR REPLACE FUNCTION postguard_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'postguard audit events are append-only'; END $$;
CREATE OR REPLACE TRIGGER postguard_events_append_only BEFORE UPDATE OR DELETE ON postguard_events
FOR EACH ROW EXECUTE FUNCTION postguard_append_only();
"""


def tables_exist(conn) -> bool:
    """Whether both tables are there (an INSERT-only role cannot create them)."""
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL",
                       (EVENTS_TABLE, LAPTOPS_TABLE)).fetchone()
    return bool(row[0])


def ensure_schema(conn, *, review_tables: bool = True) -> list[str]:
    """Create the tables on first use; leave existing ones (and their grants) alone.

    Two laptops starting at once queue on an advisory lock, and the second finds the tables.
    Then the review page's tables and indexes (pg_review_tables.py) are added where missing;
    returns what of those could not be done, and why (they are logged too). With `review_tables`
    false only the reviewers' own tables are: the central service builds the rest in the
    background (companion/central/store_build.py), as it takes minutes on a large store.
    """
    from companion.audit.sinks.pg_review_tables import ensure_review_tables, ensure_workflow_tables

    with conn.transaction():
        if not tables_exist(conn):
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('postguard_schema'))")
            if not tables_exist(conn):
                conn.execute(DDL)
    if not review_tables:
        with conn.transaction():
            reviewed = conn.execute("SELECT to_regclass('postguard_review_entries') IS NOT NULL").fetchone()[0]
        return [] if reviewed else ensure_workflow_tables(conn)
    return ensure_review_tables(conn)
