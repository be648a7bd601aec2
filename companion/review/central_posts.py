"""How the posts' search runs on the central store, with its own tables and indexes
(companion/audit/sinks/pg_review_tables.py): same rows as posts.py's plain search, without
reading the whole store.

A search first samples the newest posts (`central_plan`). A term common among them walks the
time index, every branch tested row by row; a rarer one fetches its matches by index: trigram
indexes on rules, categories and site, the categories index for a category named by its label in
either language (present.categories_named), the person's names matched in `postguard_names` and
then found by the account and person indexes, and the posts whose justification matches listed
first (up to `WHY_LOOKUP_CAP`).

A term shorter than three characters has no trigram (Chinese names are often two: 王伟), so no
trigram index can serve it. Such a term is matched against what it can name instead: the people
in `postguard_names`, the categories by their ids or labels, the sites by their ids, the rule ids
the store has seen (`postguard_daily_rules`), each then found by the indexes above; and
justifications through the central store's own index of their one- and two-character pieces
(companion/central/short_search.py, `postguard_events_search_why_short`). Without that index, or
while it is being built, a short justification search reads the decisions: the same posts, slower.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from companion.review.present import categories_named
from companion.review.sql import Dialect, central_tables

WHY_LOOKUP_CAP = 1_000
_POST_EVENT = "(c.kind = 'check' OR (c.kind = 'decision' AND c.scan_id LIKE 'offline-%%'))"


def escape_like(text: str) -> str:
    """`text` for LIKE/ILIKE ... ESCAPE '\\': its own %, _ and \\ match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class Central:
    """What the central store offers the query (`ReviewTables`); for a search, the OS accounts
    and identities that match it, and the scan ids whose justification does when there are few
    enough to list."""

    tables: object
    why_scans: list[str] | None = None
    users: list[str] = field(default_factory=list)
    identities: list[str] = field(default_factory=list)
    dense: bool = False  # the search matches many of the newest posts: walk them, row by row
    short: "ShortTerm | None" = None  # a term too short for a trigram: what it names, by id


SHORT_TERM = 3  # pg_trgm's trigrams: a shorter term has none


@dataclass(frozen=True)
class ShortTerm:
    """The ids a short term is part of (each long enough for the indexes), found before the query."""

    rules: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)


def is_short(text: str) -> bool:
    return len(text) < SHORT_TERM



def indexed_search(text: str, central: Central) -> tuple[str, list]:
    """The search on the central store, every branch served by an index; same rows as
    `_search_clause`. People are matched by name first (`postguard_names`), then found by the
    account and person indexes; the rest by trigram indexes, or the scan index for the listed
    justification matches."""
    term = f"%{escape_like(text)}%"
    if central.dense:
        return _walked_search(term, central.why_scans, categories_named(text))
    if central.short is not None:
        arms, params = _short_arms(central.short)
    else:
        arms = [f"{column} ILIKE %s ESCAPE '\\'" for column in (
            "c.rules::text", "c.categories::text", "COALESCE(c.platform, '')")]
        params = [term] * 3
        if named := categories_named(text):  # a category by its label: the categories index
            arms.append("c.categories ?| %s")
            params.append(named)
    if central.users:
        arms.append("c.os_user = ANY(%s)")
        params.append(central.users)
    if central.identities:  # the person index's expression, so the index serves it
        arms.append("(COALESCE(c.details->>'identity', c.os_user) = ANY(%s) AND c.details->>'identity' IS NOT NULL)")
        params.append(central.identities)
    if central.why_scans is not None:
        if central.why_scans:
            arms.append("c.scan_id = ANY(%s)")
            params.append(central.why_scans)
    else:
        # Many decisions match: probe each post's decisions as the index walk meets it (OFFSET 0
        # keeps the planner from hashing every matching decision of the store first)
        arms.append("EXISTS (SELECT 1 FROM postguard_events j WHERE j.scan_id = c.scan_id AND j.kind = 'decision' "
                    "AND j.justification ILIKE %s ESCAPE '\\' OFFSET 0)")
        params.append(term)
    return f"({' OR '.join(arms)})", params


def _short_arms(short: ShortTerm) -> tuple[list[str], list]:
    """The rule, category and site branches of a short term: one per id it is part of, each served
    by an index (a rule's JSON string and a site by their trigram indexes, a category by the
    categories index)."""
    arms: list[str] = []
    params: list = []
    for rule in short.rules:
        arms.append("c.rules::text ILIKE %s ESCAPE '\\'")
        params.append(f'%"{escape_like(rule)}"%')
    for category in short.categories:
        arms.append("c.categories ? %s")
        params.append(category)
    for platform in short.platforms:
        arms.append("COALESCE(c.platform, '') ILIKE %s ESCAPE '\\'")
        params.append(escape_like(platform))
    return arms or ["false"], params


_WHY_EXISTS = ("EXISTS (SELECT 1 FROM postguard_events j WHERE j.scan_id = c.scan_id AND j.kind = 'decision' "
               "AND j.justification ILIKE %s ESCAPE '\\' OFFSET 0)")


def _walked_search(term: str, why_scans: list[str] | None = None, named: list[str] | None = None) -> tuple[str, list]:
    """The same search for a walk down the time index: no branch an index could serve (`|| ''`
    hides the trigram indexes, the function form of `?|` the categories index), so the planner
    walks instead of fetching every match first. Listed justification matches are tested against
    the list (hashed), others probed per row."""
    arms = [f"{column} ILIKE %s ESCAPE '\\'" for column in (
        "c.os_user", "(c.details->>'identity')", "(c.rules::text || '')", "(c.categories::text || '')",
        "(COALESCE(c.platform, '') || '')")]
    params: list = [term] * 5
    if named:
        arms.append("jsonb_exists_any(c.categories, %s)")
        params.append(named)
    if why_scans is None:
        arms.append(_WHY_EXISTS)
        params.append(term)
    elif why_scans:
        arms.append("(c.scan_id || '') = ANY(%s)")
        params.append(why_scans)
    return f"({' OR '.join(arms)})", params


DENSITY_SAMPLE, DENSE_MATCHES, COMMON_JUSTIFICATION = 2_000, 100, 20


def central_plan(reader, d: Dialect, flt) -> Central | None:
    """What the central store's own tables can do for this filter (None on SQLite).

    A search first samples the newest posts: when at least DENSE_MATCHES of DENSITY_SAMPLE
    match, the page walks the time index (50 matches come quickly, and the count stops at its
    cap); otherwise it fetches the matches by index. The planner cannot tell the two apart,
    as it has no statistics for a substring.
    """
    tables = central_tables(reader) if d.name == "postgres" else None
    if tables is None:
        return None
    if not (flt.search and tables.search and tables.counts):
        return Central(tables)
    term = f"%{escape_like(flt.search)}%"
    from companion.review.posts import _inner_where  # the rest of the filter, as the page runs it

    clauses, params = _inner_where(d, flt, Central(tables, dense=True))
    sampled, why_sampled = reader.rows(
        f"SELECT count(*) FILTER (WHERE {' AND '.join(clauses)}), count(*) FILTER (WHERE {_WHY_EXISTS}) "
        f"FROM (SELECT * FROM {d.table} c WHERE {_POST_EVENT} ORDER BY c.ts DESC, c.id DESC "
        f"LIMIT {DENSITY_SAMPLE}) c", [*params, term])[0]
    if (sampled >= DENSE_MATCHES and why_sampled) or why_sampled >= COMMON_JUSTIFICATION:
        # a justification many posts share: probe each post's decisions as the walk meets it, rather
        # than list hundreds of thousands of matching decisions first
        return Central(tables, dense=True)
    short = _short_term(reader, flt.search) if is_short(flt.search) else None
    if short is not None and short_search_index(reader):
        # The pieces index finds the candidates; ILIKE keeps its own sense of case. `|| ''` hides the
        # trigram index from the planner, which takes an ILIKE without trigrams for a cheap index scan
        # and reads the whole index instead (5 s at 10 million events, against 36 ms this way).
        rows = reader.rows("SELECT j.scan_id FROM postguard_events j WHERE j.kind = 'decision' "
                           "AND j.justification IS NOT NULL AND postguard_short_pieces(j.justification) @> %s "
                           "AND j.scan_id IS NOT NULL AND (j.justification || '') ILIKE %s ESCAPE '\\' "
                           f"LIMIT {WHY_LOOKUP_CAP + 1}", [[flt.search.lower()], term])
    else:
        rows = reader.rows("SELECT j.scan_id FROM postguard_events j WHERE j.kind = 'decision' "
                           "AND j.scan_id IS NOT NULL AND j.justification ILIKE %s ESCAPE '\\' "
                           f"LIMIT {WHY_LOOKUP_CAP + 1}", [term])
    why = sorted({row[0] for row in rows}) if len(rows) <= WHY_LOOKUP_CAP else None
    names = reader.rows("SELECT field, name FROM postguard_names WHERE name ILIKE %s ESCAPE '\\'", [term])
    return Central(tables, why, users=[n for f, n in names if f == "os_user"],
                   identities=[n for f, n in names if f == "identity"], dense=sampled >= DENSE_MATCHES, short=short)


def _short_term(reader, text: str) -> ShortTerm:
    """The rule ids the store has seen, the categories (by id or by label) and the sites that `text`
    is part of."""
    from companion.detection.types import CATEGORIES
    from companion.sites import SITE_IDS

    folded = text.lower()
    rules = [row[0] for row in reader.rows("SELECT DISTINCT rule FROM postguard_daily_rules "
                                           "WHERE rule ILIKE %s ESCAPE '\\'", [f"%{escape_like(text)}%"])]
    named = categories_named(text)
    return ShortTerm(rules=sorted(rules), categories=[c for c in CATEGORIES if folded in c or c in named],
                     platforms=[p for p in (*SITE_IDS, "other") if folded in p])


def short_search_index(reader) -> bool:
    """Whether the central store's index of justifications' short pieces is ready
    (companion/central/short_search.py): not while it is being built, nor a build's invalid leftover."""
    from companion.audit.sinks.pg_index_build import VALIDITY_SQL, state_of
    from companion.central.short_search import INDEX

    return state_of(reader.rows(VALIDITY_SQL, [INDEX])) == "ready"
