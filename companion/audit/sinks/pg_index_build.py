"""Indexes on the central events table built without holding new events back.

`CREATE INDEX CONCURRENTLY` lets laptops' events keep arriving while an index is built (minutes
on millions of events), but it cannot run inside a transaction, so `build_concurrently` needs an
autocommit connection. A concurrent build that stopped half-way (the instance was killed, the
build cancelled) leaves its index behind as INVALID: the planner never uses it and `CREATE INDEX
IF NOT EXISTS` would keep it as it is, so it is dropped (concurrently too) and built again.

One index that cannot be built (its name taken by another object, a constraint its rows break)
keeps none of the others from being built: each is tried, and the ones that failed are reported
together afterwards (`IndexesNotBuilt`), so a store has everything but the failed part and the next
start has only that left to do.

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


class IndexesNotBuilt(Exception):
    """Some indexes could not be built, the others were: `failed` maps each name to the error's class
    and SQLSTATE (never its message, which may quote values)."""

    def __init__(self, failed: Mapping[str, str]):
        self.failed = dict(failed)
        super().__init__("indexes not built: " + "; ".join(f"{name}: {why}" for name, why in self.failed.items()))


def sqlstate(exc) -> str:
    """A database error's class and SQLSTATE (its message may quote values; these never do)."""
    return f"{type(exc).__name__} (SQLSTATE {getattr(exc, 'sqlstate', None) or '?'})"


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
    True once all are, `IndexesNotBuilt` after trying all when some could not be, False when another session held the builders' `lock` (an SQL expression
    giving the advisory lock's key) and `wait` was false or `stop` was set meanwhile."""
    if not conn.autocommit:
        raise ValueError("indexes are built concurrently: pass an autocommit connection")
    stop = stop or threading.Event()
    while not conn.execute(f"SELECT pg_try_advisory_lock({lock})").fetchone()[0]:
        if all(index_state(conn, name) == "ready" for name in indexes):
            return True
        if not wait or stop.wait(poll_s):
            return False
    import psycopg

    failed: dict[str, str] = {}
    try:
        for name, create in indexes.items():
            state = index_state(conn, name)
            if state == "ready":
                continue
            try:
                if state == "invalid":  # no one else builds it (we hold the lock): a build that stopped half-way
                    conn.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
                conn.execute(create)
            except (psycopg.OperationalError, psycopg.errors.InsufficientPrivilege):
                raise  # the database went away, or this role may build none of them
            except psycopg.Error as exc:
                failed[name] = sqlstate(exc)
    finally:
        unlock(conn, lock)
    if failed:
        raise IndexesNotBuilt(failed)
    return True


def unlock(conn, lock: str) -> None:
    """Give the builders' lock back (a connection the failure broke has lost it already)."""
    import psycopg

    with contextlib.suppress(psycopg.Error):
        conn.execute(f"SELECT pg_advisory_unlock({lock})")


# How far a concurrent build is, by its phase (pg_stat_progress_create_index): where the phase starts
# in the whole build, how much of it it spans, and the counters that move within it.
_PHASES = (("waiting for writers before build", 0.0, 0.0, None), ("building index: scanning table", 0.0, 0.5, "blocks"),
           ("building index: sorting live tuples", 0.5, 0.05, None),
           ("building index: loading tuples in tree", 0.55, 0.15, "tuples"),
           ("waiting for writers before validation", 0.7, 0.0, None),
           ("index validation: scanning index", 0.7, 0.1, "blocks"),
           ("index validation: sorting tuples", 0.8, 0.05, None),
           ("index validation: scanning table", 0.85, 0.1, "blocks"))
PROGRESS_SQL = ("SELECT index_relid::regclass::text, phase, blocks_done, blocks_total, tuples_done, tuples_total "
                "FROM pg_stat_progress_create_index WHERE index_relid::regclass::text = ANY(%s)")


def build_fraction(phase: str, blocks: tuple[int, int], tuples: tuple[int, int]) -> float:
    """How much of a concurrent index build is done (0 to 1), from its phase and counters: an estimate
    for "the review tables are being built (n %)", not a measure."""
    for name, start, span, counter in _PHASES:
        if phase == name:
            done, total = blocks if counter == "blocks" else tuples if counter == "tuples" else (0, 0)
            return start + (span * min(done / total, 1.0) if total else 0.0)
    return 0.95  # waiting for old snapshots or readers: the last step


def index_progress(conn, names: list[str]) -> dict[str, float]:
    """Each index of `names` as a fraction done: 1 when valid, the running build's estimate while
    one builds it, 0 when missing or left invalid by a build that stopped."""
    valid = {row[0] for row in conn.execute(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE c.relname = ANY(%s) AND i.indisvalid", [names])}
    running = {name: build_fraction(phase, (bd or 0, bt or 0), (td or 0, tt or 0))
               for name, phase, bd, bt, td, tt in conn.execute(PROGRESS_SQL, [names])}
    return {name: 1.0 if name in valid else running.get(name, 0.0) for name in names}


def held_elsewhere(conn, lock: str) -> bool:
    """Whether another session holds the advisory lock `lock` (an SQL expression giving its key):
    someone is building."""
    return bool(conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid() "
        f"AND ((classid::bigint << 32) | objid::bigint) = ({lock})::bigint AND objsubid = 1)").fetchone()[0])
