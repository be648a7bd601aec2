"""The SQL of what the central store keeps for the review page beside the events: a row per post,
daily and monthly counts, a list of names and trigram indexes for search; and whether a store has
them (`review_tables_ready`, `search_indexes_ready`).

On millions of events the page cannot afford to read every event of a period, so:

- `postguard_posts`: one row per post (its check, or a decision made while the companion was
  down) with the newest decision and the merged outcome, so sorting and filtering by outcome
  walk an index (`postguard_posts_outcome`);
- `postguard_daily_people` / `postguard_monthly_people`: per person and UTC day / month, the
  checks, warnings, blocks and overrides, for the team overview;
- `postguard_daily_findings` (day, site, category) and `postguard_daily_rules` (day, rule):
  checks with each category and rule, for the charts and the top rules.

They are kept in the same transaction as the events by an AFTER INSERT trigger (once per
statement, over the rows it stored), so a laptop's INSERT-only role keeps them current too (the
trigger function runs with its owner's rights). Ingest transactions take one advisory lock before
touching the counts, so two batches never deadlock on the same day's rows. `SELECT
postguard_rebuild_review()` rebuilds all of them from the events at once; inserts wait while it runs.

- `postguard_names`: every OS account and company identity seen on a post, once each. A
  search for part of a person's email matches against these few thousand names first, then
  finds the events by index: a trigram index would read the posting lists of trigrams every
  address shares ("@ex", ".co"), which grow with the store.

Search uses `pg_trgm` GIN indexes on the other columns it matches (rules, categories, site,
justification). How all this is added to a store that has events already is pg_review_tables.py's
(the build) and pg_review_backfill.py's (the older events counted in batches).
"""

from __future__ import annotations

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

