"""Indexes on the central events table built without holding new events back.

`CREATE INDEX CONCURRENTLY` lets laptops' events keep arriving while an index is built (minutes
on millions of events), but it cannot run inside a transaction, so `build_concurrently` needs an
autocommit connection. A concurrent build that stopped half-way (the instance was killed, the
build cancelled) leaves its index behind as INVALID: the planner never uses it and `CREATE INDEX
IF NOT EXISTS` would keep it as it is, so it is dropped (concurrently too) and built again.

Sessions starting together take turns on a session-level advisory lock held by the builder; the
others poll for it rather than wait inside a statement, as a waiting statement would hold a
snapshot the build itself waits out. Used by the short-search index (central/short_search.py) and
the review page's indexes (pg_review_tables.py).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping


# One row (valid?) for an index that exists, none for a missing one; the index's name is the parameter.
VALIDITY_SQL = "SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass(%s)"


def state_of(rows: list) -> str:
    """VALIDITY_SQL's rows as 'ready' (valid: the planner uses it), 'invalid' (being built, or left
    half-built by a build that stopped) or 'missing'."""
    if not rows:
        return "missing"
    return "ready" if rows[0][0] else "invalid"


def index_state(conn, name: str) -> str:
    """'ready', 'invalid' or 'missing' (state_of)."""
    return state_of(conn.execute(VALIDITY_SQL, [name]).fetchall())


def build_concurrently(conn, indexes: Mapping[str, str], lock: str, *, stop: threading.Event | None = None,
                       poll_s: float = 2.0, wait: bool = True) -> bool:
    """Build each index (name -> its `CREATE INDEX CONCURRENTLY` statement) that is not ready;
    True once all are, False when another session held the builders' `lock` (an SQL expression
    giving the advisory lock's key) and `wait` was false or `stop` was set meanwhile."""
    if not conn.autocommit:
        raise ValueError("indexes are built concurrently: pass an autocommit connection")
    stop = stop or threading.Event()
    while not conn.execute(f"SELECT pg_try_advisory_lock({lock})").fetchone()[0]:
        if all(index_state(conn, name) == "ready" for name in indexes):
            return True
        if not wait or stop.wait(poll_s):
            return False
    try:
        for name, create in indexes.items():
            state = index_state(conn, name)
            if state == "ready":
                continue
            if state == "invalid":  # no one else builds it (we hold the lock): a build that stopped half-way
                conn.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
            conn.execute(create)
        return True
    finally:
        unlock(conn, lock)


def unlock(conn, lock: str) -> None:
    """Give the builders' lock back (a connection the failure broke has lost it already)."""
    import psycopg

    with contextlib.suppress(psycopg.Error):
        conn.execute(f"SELECT pg_advisory_unlock({lock})")
