"""The review page's tables and their trigger added to a store that has events, and the events
older than the trigger counted in batches (pg_review_schema.py has the SQL).

Creating the trigger waits for running ingest transactions, and new ones wait behind it, so it is
tried under a short lock timeout. Every event up to the newest id seen then is older than the
trigger and is counted by `backfill`, a batch of ids at a time; while `postguard_review_backfill`
exists (it holds the next id and the last), the review page reads the events directly. A stopped
run is taken up by the next, from the batch it stopped at.
"""

from __future__ import annotations

import time

from companion.audit.sinks.pg_review_schema import (
    BACKFILL,
    COUNT_AND_LIST,
    REBUILD,
    REVIEW_TABLES,
    TABLES,
    TRIGGER,
    review_tables_ready,
)

BACKFILL_EVENTS = 5000  # events per batch: ingest waits for one batch at most (the counts' advisory lock)
_TRIGGER_LOCK_TIMEOUT = "2s"  # creating the trigger waits for running ingest, and new ingest waits behind it
_TRIGGER_RETRY_S = 3.0


def create_tables(conn) -> None:
    """The tables and the trigger, and the events the trigger will not see marked for the backfill.

    Creating the trigger waits for running ingest transactions to end, and new ones wait behind
    it: a short lock timeout, tried again, keeps that wait short. Every event up to the newest id
    seen then is older than the trigger; every later one goes through it."""
    import psycopg

    while True:
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtext('postguard_schema'))")
                if review_tables_ready(conn) or conn.execute(f"SELECT to_regclass('{BACKFILL}')").fetchone()[0]:
                    return  # ready, or being filled in (an earlier run stopped half-way: go on with it)
                conn.execute(TABLES)
                conn.execute(f"SET LOCAL lock_timeout = '{_TRIGGER_LOCK_TIMEOUT}'")
                conn.execute(f"{TRIGGER}{REBUILD}")
                conn.execute(f"TRUNCATE {', '.join(REVIEW_TABLES)}")  # an earlier version's rows, if any
                conn.execute(f"CREATE TABLE {BACKFILL} AS SELECT 1::bigint AS next_id, "
                             "COALESCE(max(id), 0)::bigint AS upto FROM postguard_events")
                return
        except psycopg.errors.LockNotAvailable:  # a long ingest transaction: let the queue behind us go, then again
            time.sleep(_TRIGGER_RETRY_S)


def backfill(conn, batch_events: int, between_batches) -> None:
    """Fill the tables in from the events older than the trigger, a batch of ids at a time.

    Each batch holds the counts' advisory lock (as an ingest transaction's trigger does) for the
    time of one batch, and reads the events without locking them against inserts. A post's newest
    decision is looked up over all events stored by then; one stored later updates it through the
    trigger. Several sessions may take batches in turn; a stopped run is resumed by the next."""
    batch = COUNT_AND_LIST.replace(
        "new_rows n", "(SELECT * FROM postguard_events WHERE id BETWEEN {lo} AND {hi}) n")
    while True:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('postguard_review_counts'))")
            if conn.execute(f"SELECT to_regclass('{BACKFILL}')").fetchone()[0] is None:
                return  # another session finished it
            lo, upto = conn.execute(f"SELECT next_id, upto FROM {BACKFILL}").fetchone()
            if lo > upto:
                conn.execute(f"DROP TABLE {BACKFILL}")
                conn.execute("ANALYZE postguard_posts")
                return
            hi = min(lo + batch_events - 1, upto)
            conn.execute(batch.replace("{lo}", str(int(lo))).replace("{hi}", str(int(hi))))
            conn.execute(f"UPDATE {BACKFILL} SET next_id = %s", [hi + 1])
        between_batches()



def counted_fraction(conn) -> float:
    """How much of the counting is done: 1 once the tables are filled in (or were made on an empty
    store), the share of the older events counted while the backfill runs, 0 before the tables exist."""
    if review_tables_ready(conn):
        return 1.0
    if conn.execute(f"SELECT to_regclass('{BACKFILL}')").fetchone()[0] is None:
        return 0.0
    next_id, upto = conn.execute(f"SELECT next_id, upto FROM {BACKFILL}").fetchone()
    return min(max(next_id - 1, 0) / upto, 1.0) if upto else 1.0
