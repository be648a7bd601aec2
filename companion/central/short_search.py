"""The review tool's index for search terms of one or two characters, on the central store.

`postguard_events_search_why_short` holds the one- and two-character pieces of every
justification (`postguard_short_pieces()`, lower-cased) in a GIN index. A term shorter than three
characters (a Chinese name such as 王伟, say) has no trigram for the trigram indexes to use; this
index finds its justifications (companion/review/central_posts.py).

It is built with `CREATE INDEX CONCURRENTLY`, so laptops' events keep arriving while it is built
(about 2.5 minutes on 10 million events, docs/performance.md): `central init-db` builds it and
waits, and a service started on a store without it accepts events at once and builds it in the
background (store_build.py, with the review page's tables). Until it is ready a short search reads the decisions
instead: same posts, slower.

A concurrent build that stopped half-way (the instance was killed, the build cancelled) leaves
the index behind as INVALID: the planner never uses it and `CREATE INDEX IF NOT EXISTS` would
keep it as it is, so `build` drops it and builds it again. Instances starting together take
turns on an advisory lock held by the builder's session; the others poll for it rather than wait
inside a statement, as a waiting statement would hold a snapshot the build itself waits out.
"""

from __future__ import annotations

import threading

from companion.audit.sinks import pg_index_build
from companion.audit.sinks.pg_index_build import build_concurrently

INDEX = "postguard_events_search_why_short"
LOCK = "hashtext('postguard_short_search')"  # held by the session that builds it

# Every piece of one and of two characters of a text, lower-cased, once each.
PIECES_FUNCTION = """
CREATE OR REPLACE FUNCTION postguard_short_pieces(t TEXT) RETURNS TEXT[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT COALESCE(array_agg(DISTINCT substr(l, i, n)), '{}')
    FROM (SELECT lower(t) AS l) s, generate_series(1, char_length(t)) i, (VALUES (1), (2)) v(n)
    WHERE i + n - 1 <= char_length(t)
$$;
"""
CREATE_INDEX = (f"CREATE INDEX CONCURRENTLY {INDEX} ON postguard_events "
                "USING GIN (postguard_short_pieces(justification)) "
                "WHERE kind = 'decision' AND justification IS NOT NULL")


def index_state(conn) -> str:
    """'ready', 'invalid' (being built, or left half-built by a build that stopped) or 'missing'."""
    return pg_index_build.index_state(conn, INDEX)


def ensure_pieces_function(conn) -> None:
    """`postguard_short_pieces()`, once (instances starting together take turns on an advisory
    lock), so a service role without CREATE leaves an existing one alone."""
    missing = "SELECT to_regprocedure('postguard_short_pieces(text)') IS NULL"
    with conn.transaction():
        if conn.execute(missing).fetchone()[0]:
            conn.execute(f"SELECT pg_advisory_xact_lock({LOCK})")
            if conn.execute(missing).fetchone()[0]:
                conn.execute(PIECES_FUNCTION)


def ensure(conn) -> None:
    """The function and the index, built concurrently and waited for (`central init-db`, and the
    benches' stores, which must have what the service's has). `conn` is in autocommit mode."""
    ensure_pieces_function(conn)
    build(conn)


def build(conn, *, stop: threading.Event | None = None, poll_s: float = 2.0) -> bool:
    """Build the index without holding new events back; True once it is ready, False when `stop`
    was set while another instance was building it.

    `conn` must be in autocommit mode (a concurrent build cannot run inside a transaction). While
    another session holds the builders' lock, this one polls; when it gets the lock, a leftover
    INVALID index is dropped (concurrently too) and the index built again (pg_index_build.py).
    """
    return build_concurrently(conn, {INDEX: CREATE_INDEX}, LOCK, stop=stop, poll_s=poll_s)
