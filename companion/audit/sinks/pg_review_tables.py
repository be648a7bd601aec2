"""What the central store keeps for the review page beside the events: a row per post, daily
and monthly counts, and trigram indexes for search.

On millions of events the page cannot afford to read every event of a period, so:

- `postguard_posts`: one row per post (its check, or a decision made while the companion was
  down) with the newest decision and the merged outcome, so sorting and filtering by outcome
  walk an index (`postguard_posts_outcome`);
- `postguard_daily_people` / `postguard_monthly_people`: per person and UTC day / month, the
  checks, warnings, blocks and overrides, for the team overview;
- `postguard_daily_findings` (day, site, category) and `postguard_daily_rules` (day, rule):
  checks with each category and rule, for the charts and the top rules.

They are kept in the same transaction as the events by an AFTER INSERT trigger (once per
statement, over the rows it stored), so a
laptop's INSERT-only role keeps them current too (the trigger function runs with its owner's
rights). Ingest transactions take one advisory lock before touching the counts, so two
batches never deadlock on the same day's rows. `SELECT postguard_rebuild_review()` rebuilds
all of them from the events at once; inserts wait while it runs.

Added to a store that has events already (the first start of a service or a laptop's sink
after an upgrade, on millions of events), nothing holds new events back for long
(`ensure_review_tables`): the indexes on the events are built concurrently, the trigger is
created under a short lock timeout, and the events older than the trigger are counted in
batches of ids (`postguard_review_backfill` holds the next one). Until the last batch the
review page reads the events directly, as `review_tables_ready` says no.

- `postguard_names`: every OS account and company identity seen on a post, once each. A
  search for part of a person's email matches against these few thousand names first, then
  finds the events by index: a trigram index would read the posting lists of trigrams every
  address shares ("@ex", ".co"), which grow with the store.

Search uses `pg_trgm` GIN indexes on the other columns it matches (rules, categories, site,
justification). pg_trgm ships with PostgreSQL's contrib modules (Debian:
`postgresql-contrib`, part of the server package since 10) and is a trusted extension, so a
role with CREATE on the database may add it. Where it cannot be added, search still works and
gives the same results, reading the whole table; `ensure_review_tables` returns and logs why.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable

from companion.audit.sinks.pg_index_build import build_concurrently, unlock

log = logging.getLogger("postguard.audit")

PERSON = "COALESCE(NULLIF({e}.details->>'identity', ''), NULLIF({e}.os_user, ''), '?')"
POST_EVENT = "({e}.kind = 'check' OR ({e}.kind = 'decision' AND {e}.scan_id LIKE 'offline-%'))"
ARRAY_OF = "jsonb_array_elements_text(CASE WHEN jsonb_typeof({v}) = 'array' THEN {v} ELSE '[]'::jsonb END)"
TALLIES = ("({e}.kind = 'check')::int", "({e}.kind = 'check' AND {e}.verdict IN ('warn', 'block'))::int",
           "({e}.kind = 'check' AND {e}.verdict = 'block')::int",
           "({e}.kind = 'decision' AND {e}.action = 'overridden')::int")

TABLES = """
CREATE TABLE IF NOT EXISTS postguard_posts (
    event_id BIGINT PRIMARY KEY,
    scan_id TEXT, ts TEXT NOT NULL, verdict TEXT,
    last_action TEXT, last_ts TEXT, last_id BIGINT,
    outcome TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS postguard_posts_scan ON postguard_posts (scan_id);
CREATE INDEX IF NOT EXISTS postguard_posts_outcome ON postguard_posts (outcome, event_id);
CREATE TABLE IF NOT EXISTS postguard_daily_people (
    day TEXT NOT NULL, person TEXT NOT NULL,
    checks BIGINT NOT NULL, warned BIGINT NOT NULL, blocked BIGINT NOT NULL, overrides BIGINT NOT NULL,
    PRIMARY KEY (day, person)
);
CREATE TABLE IF NOT EXISTS postguard_monthly_people (
    month TEXT NOT NULL, person TEXT NOT NULL,
    checks BIGINT NOT NULL, warned BIGINT NOT NULL, blocked BIGINT NOT NULL, overrides BIGINT NOT NULL,
    PRIMARY KEY (month, person)
);
-- a period's people read from the index alone (the table's rows for one day lie all over it)
CREATE INDEX IF NOT EXISTS postguard_daily_people_days ON postguard_daily_people (day)
    INCLUDE (person, checks, warned, blocked, overrides);
CREATE INDEX IF NOT EXISTS postguard_monthly_people_months ON postguard_monthly_people (month)
    INCLUDE (person, checks, warned, blocked, overrides);
CREATE TABLE IF NOT EXISTS postguard_daily_findings (
    day TEXT NOT NULL, platform TEXT NOT NULL, category TEXT NOT NULL, checks BIGINT NOT NULL,
    PRIMARY KEY (day, platform, category)
);
CREATE TABLE IF NOT EXISTS postguard_daily_rules (
    day TEXT NOT NULL, rule TEXT NOT NULL, checks BIGINT NOT NULL,
    PRIMARY KEY (day, rule)
);
CREATE TABLE IF NOT EXISTS postguard_names (
    field TEXT NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY (field, name)
);
CREATE OR REPLACE FUNCTION postguard_outcome(action TEXT, verdict TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
SELECT CASE WHEN action IN ('overridden', 'redacted', 'edited', 'cancelled') THEN action
            WHEN action = 'posted' AND (verdict IS NULL OR verdict = 'allow') THEN 'clean'
            WHEN action = 'posted' THEN 'posted' WHEN verdict = 'block' THEN 'blocked'
            WHEN verdict = 'allow' THEN 'clean' ELSE 'open' END
$$;
"""

_PEOPLE_UPSERT = """
    INSERT INTO postguard_{grain}_people AS r ({unit}, person, checks, warned, blocked, overrides)
    SELECT substr(n.ts, 1, {width}), {person}, {sums}
    FROM new_rows n WHERE n.kind IN ('check', 'decision') GROUP BY 1, 2
    ON CONFLICT ({unit}, person) DO UPDATE SET checks = r.checks + EXCLUDED.checks,
        warned = r.warned + EXCLUDED.warned, blocked = r.blocked + EXCLUDED.blocked,
        overrides = r.overrides + EXCLUDED.overrides;"""

# What a set of new events adds to the tables: `new_rows n` are the events (the trigger's
# transition table, or a batch of older events when the tables are filled in, `BACKFILL_BATCH`).
COUNT_AND_LIST = f"""
    {_PEOPLE_UPSERT.format(grain='daily', unit='day', width=10, person=PERSON.format(e='n'),
                           sums=', '.join(f'sum({t.format(e="n")})' for t in TALLIES))}
    {_PEOPLE_UPSERT.format(grain='monthly', unit='month', width=7, person=PERSON.format(e='n'),
                           sums=', '.join(f'sum({t.format(e="n")})' for t in TALLIES))}
    INSERT INTO postguard_daily_findings AS r (day, platform, category, checks)
    SELECT substr(n.ts, 1, 10), COALESCE(n.platform, ''), item, count(*)
    FROM new_rows n CROSS JOIN LATERAL {ARRAY_OF.format(v='n.categories')} AS item
    WHERE n.kind = 'check' GROUP BY 1, 2, 3
    ON CONFLICT (day, platform, category) DO UPDATE SET checks = r.checks + EXCLUDED.checks;
    INSERT INTO postguard_daily_rules AS r (day, rule, checks)
    SELECT substr(n.ts, 1, 10), item, count(*)
    FROM new_rows n CROSS JOIN LATERAL {ARRAY_OF.format(v='n.rules')} AS item
    WHERE n.kind = 'check' GROUP BY 1, 2
    ON CONFLICT (day, rule) DO UPDATE SET checks = r.checks + EXCLUDED.checks;
    -- new posts, with the newest decision already stored (this statement's included)
    INSERT INTO postguard_posts
    SELECT n.id, n.scan_id, n.ts, n.verdict, d.action, d.ts, d.id, postguard_outcome(d.action, n.verdict)
    FROM new_rows n LEFT JOIN LATERAL (
        SELECT x.action, x.ts, x.id FROM postguard_events x
        WHERE x.scan_id = n.scan_id AND x.kind = 'decision' ORDER BY x.ts DESC, x.id DESC LIMIT 1) d ON true
    WHERE {POST_EVENT.format(e='n')}
    ON CONFLICT (event_id) DO NOTHING;
    INSERT INTO postguard_names
    SELECT DISTINCT v.f, v.name FROM new_rows n
    CROSS JOIN LATERAL (VALUES ('os_user', n.os_user), ('identity', n.details->>'identity')) AS v (f, name)
    WHERE v.name IS NOT NULL AND {POST_EVENT.format(e='n')}
    ON CONFLICT DO NOTHING;"""

# Once per INSERT statement, over the rows it stored (a transition table): the sink writes a
# batch as one statement, so a batch of a hundred events costs a few set-wise statements here
# instead of six statements per event.
TRIGGER = f"""
CREATE OR REPLACE FUNCTION postguard_review_ingest() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM new_rows WHERE kind IN ('check', 'decision')) THEN RETURN NULL; END IF;
    -- one ingest transaction at a time touches the counts, so shared day rows never deadlock
    PERFORM pg_advisory_xact_lock(hashtext('postguard_review_counts'));
    {COUNT_AND_LIST}
    -- posts stored before: their newest decision, when this statement brought a newer one
    UPDATE postguard_posts p SET last_action = d.action, last_ts = d.ts, last_id = d.id,
                                 outcome = postguard_outcome(d.action, p.verdict)
    FROM (SELECT DISTINCT ON (scan_id) scan_id, action, ts, id FROM new_rows
          WHERE kind = 'decision' AND scan_id IS NOT NULL ORDER BY scan_id, ts DESC, id DESC) d
    WHERE p.scan_id = d.scan_id AND (p.last_id IS NULL OR (d.ts, d.id) > (p.last_ts, p.last_id));
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS postguard_events_review ON postguard_events;
CREATE TRIGGER postguard_events_review AFTER INSERT ON postguard_events
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION postguard_review_ingest();
"""

_PEOPLE_REBUILD = """
    INSERT INTO postguard_{grain}_people ({unit}, person, checks, warned, blocked, overrides)
    SELECT substr(e.ts, 1, {width}), {person}, {sums}
    FROM postguard_events e WHERE e.kind IN ('check', 'decision') GROUP BY 1, 2;"""

REBUILD = f"""
CREATE OR REPLACE FUNCTION postguard_rebuild_review() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    LOCK TABLE postguard_events IN SHARE MODE;  -- new events wait until the counts are rebuilt
    PERFORM pg_advisory_xact_lock(hashtext('postguard_review_counts'));
    TRUNCATE postguard_posts, postguard_daily_people, postguard_monthly_people, postguard_daily_findings,
             postguard_daily_rules, postguard_names;
    {_PEOPLE_REBUILD.format(grain='daily', unit='day', width=10, person=PERSON.format(e='e'),
                            sums=', '.join(f'sum({t.format(e="e")})' for t in TALLIES))}
    {_PEOPLE_REBUILD.format(grain='monthly', unit='month', width=7, person=PERSON.format(e='e'),
                            sums=', '.join(f'sum({t.format(e="e")})' for t in TALLIES))}
    INSERT INTO postguard_daily_findings (day, platform, category, checks)
    SELECT substr(e.ts, 1, 10), COALESCE(e.platform, ''), item, count(*)
    FROM postguard_events e CROSS JOIN LATERAL {ARRAY_OF.format(v='e.categories')} AS item
    WHERE e.kind = 'check' GROUP BY 1, 2, 3;
    INSERT INTO postguard_daily_rules (day, rule, checks)
    SELECT substr(e.ts, 1, 10), item, count(*)
    FROM postguard_events e CROSS JOIN LATERAL {ARRAY_OF.format(v='e.rules')} AS item
    WHERE e.kind = 'check' GROUP BY 1, 2;
    INSERT INTO postguard_posts
    SELECT e.id, e.scan_id, e.ts, e.verdict, n.action, n.ts, n.id, postguard_outcome(n.action, e.verdict)
    FROM postguard_events e LEFT JOIN (
        SELECT DISTINCT ON (scan_id) scan_id, action, ts, id FROM postguard_events
        WHERE kind = 'decision' AND scan_id IS NOT NULL ORDER BY scan_id, ts DESC, id DESC) n ON n.scan_id = e.scan_id
    WHERE {POST_EVENT.format(e='e')};
    INSERT INTO postguard_names
    SELECT DISTINCT 'os_user', e.os_user FROM postguard_events e WHERE e.os_user IS NOT NULL AND {POST_EVENT.format(e='e')}
    UNION SELECT DISTINCT 'identity', e.details->>'identity' FROM postguard_events e
    WHERE e.details->>'identity' IS NOT NULL AND {POST_EVENT.format(e='e')};
    ANALYZE postguard_posts;
END $$;
"""

# One trigram index per searched column, on posts' events only (the search's own condition),
# and on decisions for the justification.
SEARCH_INDEXES = {
    "postguard_events_search_rules": "((rules::text) gin_trgm_ops)",
    "postguard_events_search_categories": "((categories::text) gin_trgm_ops)",
    # COALESCE: an index on the bare column would also serve `platform = ...`, where the planner
    # then prefers it to better ones
    "postguard_events_search_platform": "((COALESCE(platform, '')) gin_trgm_ops)",
}
JUSTIFICATION_INDEX = ("CREATE INDEX CONCURRENTLY postguard_events_search_why ON postguard_events "
                       "USING GIN (justification gin_trgm_ops) WHERE kind = 'decision'")
EVENT_INDEXES = {
    # a post's decisions with their justification, read from the index alone when a search walks the posts
    "postguard_events_decisions": "CREATE INDEX CONCURRENTLY postguard_events_decisions ON postguard_events "
                                  "(scan_id) INCLUDE (justification) WHERE kind = 'decision'",
    # posts made as the company's own identity (the "acted as" filter), newest first
    "postguard_events_as_company": "CREATE INDEX CONCURRENTLY postguard_events_as_company ON postguard_events "
                                   "(ts DESC, id DESC) WHERE (details->>'acted_as_company') = 'true'",
}
REVIEW_TABLES = ("postguard_posts", "postguard_daily_people", "postguard_monthly_people", "postguard_daily_findings",
                 "postguard_daily_rules", "postguard_names")
# While it exists, the tables are being filled in from the events older than the trigger (`upto`).
BACKFILL = "postguard_review_backfill"
BACKFILL_EVENTS = 5000  # events per batch: ingest waits for one batch at most (the counts' advisory lock)
_BUILD_LOCK = "hashtext('postguard_review_build')"
_TRIGGER_LOCK_TIMEOUT = "2s"  # creating the trigger waits for running ingest, and new ingest waits behind it
_TRIGGER_RETRY_S = 3.0


def search_index_sql() -> dict[str, str]:
    """The search's indexes, name -> `CREATE INDEX CONCURRENTLY` (pg_trgm must be installed first)."""
    where = POST_EVENT.format(e="postguard_events")
    return {**{name: f"CREATE INDEX CONCURRENTLY {name} ON postguard_events USING GIN {columns} WHERE {where}"
               for name, columns in SEARCH_INDEXES.items()},
            "postguard_events_search_why": JUSTIFICATION_INDEX}


def review_tables_ready(conn, *, readable: bool = False) -> bool:
    """Whether the posts and counts tables and their trigger are in place and filled in (and, with
    `readable`, whether this role may read them: a reviewers' role granted only the events reads those)."""
    names = (*REVIEW_TABLES, *EVENT_INDEXES, "postguard_daily_people_days")
    listed = " AND ".join(f"to_regclass('{name}') IS NOT NULL" for name in names)
    # tgtype bit 0 set: a trigger per row, which an earlier version made; migration replaces it
    row = conn.execute(f"SELECT {listed} AND to_regclass('{BACKFILL}') IS NULL AND EXISTS (SELECT 1 FROM pg_trigger "
                       "WHERE tgname = 'postguard_events_review' AND tgtype & 1 = 0)").fetchone()
    if not row[0] or not readable:
        return bool(row[0])
    granted = " AND ".join(f"has_table_privilege('{name}', 'SELECT')" for name in REVIEW_TABLES)
    return bool(conn.execute(f"SELECT {granted}").fetchone()[0])


def search_indexes_ready(conn) -> bool:
    """Whether every trigram index of the search is there and valid (not half-built)."""
    names = list(search_index_sql())
    row = conn.execute("SELECT count(*) FROM pg_index WHERE indisvalid AND indexrelid IN "
                       "(SELECT oid FROM pg_class WHERE relname = ANY(%s))", [names]).fetchone()
    return row[0] == len(names)


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
        notes.extend(_ensure_workflow(conn))
    if not (counted and searchable) and not conn.autocommit and conn.info.transaction_status:  # not IDLE
        notes.append("the review page's tables and indexes were not built: the connection was inside a transaction")
    elif not (counted and searchable):
        with _autocommit(conn):
            notes.extend(_build(conn, counted, searchable, batch_events, between_batches or (lambda: None)))
    for note in notes:
        log.warning("central audit store: %s", note)
    return notes


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
    if not conn.execute(f"SELECT pg_try_advisory_lock({_BUILD_LOCK})").fetchone()[0]:
        return ["the review page's tables and indexes are being built by another session; the review page "
                "reads the events directly until they are ready"]
    notes = [] if searchable else _ensure_trgm(conn)
    indexes = {**({} if counted else EVENT_INDEXES), **({} if searchable or notes else search_index_sql())}
    try:
        build_concurrently(conn, indexes, _BUILD_LOCK)
        if not counted:
            _create_tables(conn)
            _backfill(conn, batch_events, between_batches)
    except psycopg.errors.InsufficientPrivilege:
        notes.append("the review page's posts, daily counts and search indexes were not created (this role may "
                     "not create them); run `postguard audit init-db` as the store's owner")
    except psycopg.OperationalError:
        raise
    except psycopg.Error as exc:  # never keep events out of the store for the page's sake
        notes.append(f"the review page's posts, daily counts or search indexes were not created: {_sqlstate(exc)}")
    finally:
        unlock(conn, _BUILD_LOCK)
    return notes


def _create_tables(conn) -> None:
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


def _backfill(conn, batch_events: int, between_batches) -> None:
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


def _sqlstate(exc) -> str:
    """The error's class and SQLSTATE (its message may quote values; these never do)."""
    return f"{type(exc).__name__} (SQLSTATE {getattr(exc, 'sqlstate', None) or '?'})"


def _ensure_workflow(conn) -> list[str]:
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
