"""The review page's tables and indexes (pg_review_schema.py) added to a central store that lacks
them: the first start of a service or a laptop's sink after an upgrade, on millions of events.

Nothing here holds new events back for long (`ensure_review_tables`): the indexes on the events
are built concurrently (pg_index_build.py), the trigger is created under a short lock timeout,
and the events older than the trigger are counted in batches of ids (pg_review_backfill.py).
Until the last batch the review page reads the events directly, as `review_tables_ready` says no.
One session builds at a time (an advisory lock); another finding it taken leaves it to that one.

pg_trgm ships with PostgreSQL's contrib modules (Debian: `postgresql-contrib`, part of the server
package since 10) and is a trusted extension, so a role with CREATE on the database may add it.
Where it cannot be added, search still works and gives the same results, reading the whole table;
`ensure_review_tables` returns and logs why.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from companion.audit.sinks.pg_index_build import IndexesNotBuilt, build_concurrently, index_progress, sqlstate, unlock
from companion.audit.sinks.pg_review_backfill import BACKFILL_EVENTS, backfill, counted_fraction, create_tables
from companion.audit.sinks.pg_review_schema import (  # the names the bench and tests use too
    BACKFILL,
    EVENT_INDEXES,
    REBUILD,
    REVIEW_TABLES,
    TABLES,
    TRIGGER,
    review_tables_ready,
    search_index_sql,
    search_indexes_ready,
)

__all__ = ["BACKFILL", "BACKFILL_EVENTS", "BUILD_LOCK", "build_steps", "EVENT_INDEXES", "REBUILD", "REVIEW_TABLES", "TABLES", "TRIGGER",
           "ensure_review_tables", "ensure_workflow_tables", "review_tables_ready", "search_index_sql", "search_indexes_ready"]

log = logging.getLogger("postguard.audit")

BUILD_LOCK = "hashtext('postguard_review_build')"  # held by the session that builds (pg_index_build's `lock`)
COUNTING_WEIGHT = 3  # counting the older events (six set-wise statements over all of them) against one index


def ensure_review_tables(conn, *, batch_events: int = BACKFILL_EVENTS,
                         between_batches: Callable[[], None] | None = None) -> list[str]:
    """Add what the review page needs to a store that lacks it; returns what could not be done.

    Idempotent and cheap once done. Nothing here holds new events back for long, however large
    the store: the indexes are built concurrently (an INVALID leftover dropped and built again,
    pg_index_build.py), the trigger is created under a short lock timeout, and the tables are
    filled in from the older events in batches of `batch_events` (`between_batches` runs after
    each: a seam for tests). When another session is building them, this one leaves it to it.
    A role that may not create tables (the laptops' INSERT-only role) leaves things as they are:
    the review page then reads the events directly.
    """
    notes: list[str] = []
    with conn.transaction():  # a check outside one would leave the caller's connection in a transaction
        counted, searchable = review_tables_ready(conn), search_indexes_ready(conn)
        reviewed = conn.execute("SELECT to_regclass('postguard_review_entries') IS NOT NULL").fetchone()[0]
    if not reviewed:
        notes.extend(ensure_workflow_tables(conn))
    if not (counted and searchable) and not conn.autocommit and conn.info.transaction_status:  # not IDLE
        notes.append("the review page's tables and indexes were not built: the connection was inside a transaction")
    elif not (counted and searchable):
        with _autocommit(conn):
            notes.extend(_build(conn, counted, searchable, batch_events, between_batches or (lambda: None)))
    for note in notes:
        log.warning("central audit store: %s", note)
    return notes


def build_steps(conn, *, trgm: bool | None = None) -> dict[str, tuple[float, float]]:
    """What `ensure_review_tables` builds, step -> (its weight, the fraction done): each index on the
    events, and the counting of the older events (`COUNTING_WEIGHT`). The search's trigram indexes
    are left out where pg_trgm is not installed (`trgm`: looked up when not given), as they cannot be
    built there. Read by any session: a service shows another instance's build too."""
    if trgm is None:
        trgm = conn.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')").fetchone()[0]
    names = [*EVENT_INDEXES, *(search_index_sql() if trgm else ())]
    steps = {name: (1.0, done) for name, done in index_progress(conn, names).items()}
    steps["older events counted"] = (float(COUNTING_WEIGHT), counted_fraction(conn))
    return steps


@contextlib.contextmanager
def _autocommit(conn):
    """The connection in autocommit mode (a concurrent index build runs outside transactions)."""
    before = conn.autocommit
    conn.autocommit = True  # idle (checked above): the checks ended in a commit
    try:
        yield
    finally:
        if not conn.closed and not conn.broken:
            conn.autocommit = before


def _build(conn, counted: bool, searchable: bool, batch_events: int, between_batches) -> list[str]:
    import psycopg

    # one session builds; the others go on taking events (session locks nest: build_concurrently's is this one)
    if not conn.execute(f"SELECT pg_try_advisory_lock({BUILD_LOCK})").fetchone()[0]:
        return ["the review page's tables and indexes are being built by another session; the review page "
                "reads the events directly until they are ready"]
    notes = [] if searchable else _ensure_trgm(conn)
    indexes = {**({} if counted else EVENT_INDEXES), **({} if searchable or notes else search_index_sql())}
    try:
        try:
            build_concurrently(conn, indexes, BUILD_LOCK)
        except IndexesNotBuilt as exc:  # the others are built; the tables are still worth filling in
            notes.extend(f"the review page's index {name} was not built: {why}" for name, why in exc.failed.items())
        if not counted:
            create_tables(conn)
            backfill(conn, batch_events, between_batches)
    except psycopg.errors.InsufficientPrivilege:
        notes.append("the review page's posts, daily counts and search indexes were not created (this role may "
                     "not create them); run `postguard audit init-db` as the store's owner")
    except psycopg.OperationalError:
        raise
    except psycopg.Error as exc:  # never keep events out of the store for the page's sake
        notes.append(f"the review page's posts, daily counts or search indexes were not created: {sqlstate(exc)}")
    finally:
        unlock(conn, BUILD_LOCK)
    return notes


def ensure_workflow_tables(conn) -> list[str]:
    """The reviewers' own tables (companion/review/pg_workflow.py), so their role needs no CREATE."""
    import psycopg

    from companion.review.pg_workflow import DDL as WORKFLOW_DDL

    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('postguard_review_schema'))")
            conn.execute(WORKFLOW_DDL)
    except psycopg.errors.InsufficientPrivilege:
        return ["the tables for review entries were not created (this role may not create tables); run "
                "`postguard audit init-db` as the store's owner"]
    return []


def _ensure_trgm(conn) -> list[str]:
    """pg_trgm, for the search's indexes; what stood in the way, if it could not be added."""
    import psycopg

    try:
        with conn.transaction():
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except psycopg.errors.InsufficientPrivilege:
        return ["search reads the whole table: the extension pg_trgm may not be created by this role; "
                "run `CREATE EXTENSION pg_trgm;` in this database as its owner or a superuser, then "
                "`postguard audit init-db`"]
    except (psycopg.errors.UndefinedFile, psycopg.errors.FeatureNotSupported):
        return ["search reads the whole table: pg_trgm is not installed on the database server; install "
                "PostgreSQL's contrib modules (Debian: postgresql-contrib), then run `postguard audit init-db`"]
    return []
