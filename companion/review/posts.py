"""One row per post: a check and every decision on it, merged into an outcome.

A post is a `check` event, or a decision made while the companion was down (its scan id
starts with `offline-`, and no check exists). Its decisions share the check's scan id; the
last one says how the post ended:

| outcome      | when |
|--------------|------|
| `clean`      | nothing was found (verdict allow), or posted with nothing found |
| `edited`, `redacted`, `cancelled` | the last decision says so |
| `overridden` | posted anyway, with the reason the user typed |
| `posted`     | posted after a warning without the override step (older extensions) |
| `blocked`    | blocked, and nothing else happened |
| `open`       | warned, and no decision arrived (the tab closed, or the decision is still queued) |

Search covers who (OS account, company identity), rule, category, platform and the
justification, never excerpts: those are masked, but still words of the post.

On the central store, where millions of events would otherwise be read, three tables and
indexes of its own (companion/audit/sinks/pg_review_tables.py) are used when they are there,
with the same results: `postguard_posts` holds each post's outcome, so sorting and filtering
by it walk an index; the search's conditions each have a trigram index, and the posts whose
justification matches are looked up first (up to `WHY_LOOKUP_CAP` of them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from companion.audit.events import utc_timestamp
from companion.review.central_posts import Central, central_plan, escape_like, indexed_search
from companion.review.sql import Dialect

ACTING = ("company", "personal")
OUTCOMES = ("clean", "edited", "redacted", "overridden", "cancelled", "blocked", "posted", "open")
SORTS = {
    "time": "p.ts", "person": "p.person", "platform": "p.platform", "outcome": "p.outcome",
    "verdict": "(CASE p.verdict WHEN 'block' THEN 3 WHEN 'warn' THEN 2 WHEN 'allow' THEN 1 ELSE 0 END)",
}


@dataclass(frozen=True)
class PostFilter:
    """What the reviewer narrowed the posts to; None means "any"."""

    since: datetime | None = None
    until: datetime | None = None
    person: str | None = None       # company identity, or OS account where there is none
    host: str | None = None
    platform: str | None = None
    category: str | None = None
    rule: str | None = None
    verdict: str | None = None
    outcome: str | None = None
    search: str | None = None
    include_clean: bool = False
    reviewed: list[str] | None = None  # with `review`, the scan ids reviewed so far
    review: str | None = None          # "open" (not reviewed yet) or "reviewed"
    scan_id: str | None = None
    acting: str | None = None          # "company": posted as a company identity; "personal": not


@dataclass
class Post:
    """A post as the table, the exports and the alerts see it."""

    check: dict
    decisions: list[dict] = field(default_factory=list)
    outcome: str = "open"
    person: str | None = None

    @property
    def justification(self) -> str | None:
        """The newest reason the user gave, in full (500 characters at most, as stored)."""
        return next((d["justification"] for d in reversed(self.decisions) if d.get("justification")), None)


def last_action(d: Dialect) -> str:
    """The newest decision's action on c's post (itself, for an offline decision)."""
    return (f"(SELECT d.action FROM {d.table} d WHERE d.scan_id = c.scan_id AND d.kind = 'decision' "
            f"ORDER BY d.ts DESC, {d.order_id.replace('c.', 'd.')} DESC LIMIT 1)")


def outcome_sql(action: str, verdict: str) -> str:
    """The outcome (see the module's table) from the last action and the check's verdict."""
    return (f"CASE WHEN {action} IN ('overridden', 'redacted', 'edited', 'cancelled') THEN {action} "
            f"WHEN {action} = 'posted' AND ({verdict} IS NULL OR {verdict} = 'allow') THEN 'clean' "
            f"WHEN {action} = 'posted' THEN 'posted' WHEN {verdict} = 'block' THEN 'blocked' "
            f"WHEN {verdict} = 'allow' THEN 'clean' ELSE 'open' END")


def _acting_clause(d: Dialect, acting: str) -> str:
    """The post's event was made as a company identity (or as a personal one)."""
    flag = "true" if acting == "company" else "false"
    if d.name == "sqlite":
        return f"(CASE WHEN json_valid(c.details) THEN json_type(c.details, '$.acted_as_company') END) = '{flag}'"
    return f"(c.details->>'acted_as_company') = '{flag}'"


def _inner_where(d: Dialect, flt: PostFilter, central: Central | None = None) -> tuple[list[str], list]:
    """Conditions on the post's own event (c): cheap, served by the event indexes."""
    ph, clauses, params = d.ph, ["(c.kind = 'check' OR (c.kind = 'decision' AND c.scan_id LIKE 'offline-%%'))"
                                 if d.name == "postgres" else
                                 "(c.kind = 'check' OR (c.kind = 'decision' AND c.scan_id LIKE 'offline-%'))"], []
    if flt.since is not None:
        clauses.append(f"c.ts >= {ph}")
        params.append(utc_timestamp(flt.since))
    if flt.until is not None:
        clauses.append(f"c.ts < {ph}")
        params.append(utc_timestamp(flt.until))
    for column, value in (("c.scan_id", flt.scan_id), ("c.host", flt.host), ("c.platform", flt.platform), ("c.verdict", flt.verdict)):
        if value is not None:
            clauses.append(f"{column} = {ph}")
            params.append(value)
    if flt.person is not None:
        clauses.append(f"{d.person} = {ph}")
        params.append(flt.person)
    if flt.category is not None:
        clauses.append(d.category_test)
        params.append(d.category_param(flt.category))
    if flt.acting in ACTING:
        clauses.append(_acting_clause(d, flt.acting))
    if flt.rule is not None and d.name == "postgres":
        clauses.append("c.rules ? %s")  # jsonb: the array holds this rule id
        params.append(flt.rule)
    elif flt.rule is not None:
        clauses.append(f"{d.text_of('rules')} {d.like} {ph} ESCAPE '\\'")
        params.append(f'%"{escape_like(flt.rule)}"%')
    if not flt.include_clean and flt.outcome is None and flt.verdict is None:
        clauses.append("(c.verdict IS NULL OR c.verdict <> 'allow')")
    if flt.search and central is not None and central.tables.search and central.tables.counts:
        clause, extra = indexed_search(flt.search, central)
        clauses.append(clause)
        params.extend(extra)
    elif flt.search:
        clause, extra = _search_clause(d, flt.search)
        clauses.append(clause)
        params.extend(extra)
    if flt.outcome is not None and central is not None and central.tables.counts:
        clauses.append("EXISTS (SELECT 1 FROM postguard_posts po WHERE po.event_id = c.id AND po.outcome = %s)")
        params.append(flt.outcome)
    elif flt.outcome is not None:
        clauses.append(outcome_clause(d, flt.outcome))
    if flt.review in ("open", "reviewed") and flt.reviewed is not None:
        import json

        test = d.in_list("c.scan_id")
        clauses.append(test if flt.review == "reviewed" else f"NOT ({test})")
        params.append(json.dumps(flt.reviewed))
    return clauses, params


def _search_clause(d: Dialect, search: str) -> tuple[str, list]:
    """Who, rule, category (by id, or by its label in either language), platform or justification
    contains the words (never excerpts)."""
    ph, like = d.ph, d.like
    esc = "ESCAPE '\\'"
    identity = "c.details" if d.name == "sqlite" else d.identity
    term = f"%{escape_like(search)}%"
    # SQLite reads the identity out of the raw details text (no JSON parse per row)
    params = [term, f'%"identity":"{term}' if d.name == "sqlite" else term, term, term, term, term]
    labelled, labelled_params = labelled_categories(d, search)
    return (f"(c.os_user {like} {ph} {esc} OR {identity} {like} {ph} {esc} "
            f"OR {d.text_of('rules')} {like} {ph} {esc} OR {d.text_of('categories')} {like} {ph} {esc} "
            f"OR c.platform {like} {ph} {esc} OR c.scan_id IN (SELECT j.scan_id FROM {d.table} j "
            f"WHERE j.kind = 'decision' AND j.justification {like} {ph} {esc}){labelled})"), params + labelled_params


def labelled_categories(d: Dialect, search: str) -> tuple[str, list]:
    """' OR c has one of the categories whose label contains the words' (present.categories_named),
    or nothing when no label does."""
    from companion.review.present import categories_named

    named = categories_named(search)
    if not named:
        return "", []
    if d.name == "postgres":
        return " OR c.categories ?| %s", [named]  # the categories' GIN index serves it
    return " OR " + " OR ".join([d.category_test] * len(named)), [d.category_param(c) for c in named]


def _decided(d: Dialect, actions: tuple[str, ...]) -> str:
    """c's newest decision is one of `actions` (driven from the decisions, so it stays cheap)."""
    listed = ", ".join(f"'{a}'" for a in actions)
    newest = (f"NOT EXISTS (SELECT 1 FROM {d.table} x WHERE x.scan_id = dd.scan_id AND x.kind = 'decision' "
              f"AND {d.order_id.replace('c.', 'x.')} > {d.order_id.replace('c.', 'dd.')})")
    if d.name == "sqlite":
        return (f"c.scan_id IN (SELECT dd.scan_id FROM {d.table} dd WHERE dd.kind = 'decision' "
                f"AND dd.action IN ({listed}) AND {newest})")
    # PostgreSQL: a scalar subquery per row (one index probe), which the planner cannot turn
    # into a hash join over every decision in the store
    return f"{last_action(d)} IN ({listed})"


def _undecided(d: Dialect) -> str:
    """No decision was made on c's post."""
    if d.name == "sqlite":
        return f"c.scan_id NOT IN (SELECT u.scan_id FROM {d.table} u WHERE u.kind = 'decision' AND u.scan_id IS NOT NULL)"
    return f"NOT EXISTS (SELECT 1 FROM {d.table} u WHERE u.scan_id = c.scan_id AND u.kind = 'decision')"


def outcome_clause(d: Dialect, outcome: str) -> str:
    """The outcome (see the module's table) as a condition on c, equivalent to `outcome_sql`."""
    if outcome in ("overridden", "redacted", "edited", "cancelled"):
        return _decided(d, (outcome,))
    if outcome == "posted":
        return f"c.verdict IN ('warn', 'block') AND {_decided(d, ('posted',))}"
    if outcome == "clean":
        return f"(c.verdict IS NULL OR c.verdict = 'allow') AND ({_undecided(d)} OR {_decided(d, ('posted',))})"
    if outcome == "blocked":
        return f"c.verdict = 'block' AND {_undecided(d)}"
    return f"(c.verdict IS NULL OR c.verdict NOT IN ('allow', 'block')) AND {_undecided(d)}"


INNER_SORTS = {"time": "c.ts", "person": "person", "platform": "c.platform",
               "verdict": "(CASE c.verdict WHEN 'block' THEN 3 WHEN 'warn' THEN 2 WHEN 'allow' THEN 1 ELSE 0 END)"}


def posts_sql(d: Dialect, flt: PostFilter, *, sort: str = "time", descending: bool = True,
              limit: int = 50, offset: int = 0, central: Central | None = None, few: bool = False) -> tuple[str, list]:
    """One page of posts: event columns, person, verdict, ts, platform, row id, last action, outcome.

    The newest decision is looked up only for the rows of the page, except when sorting by
    outcome, which needs it for every matching post (or, on the central store, walks
    `postguard_posts` in outcome order). `few` says the count found at most the dialect's cap
    of matches: PostgreSQL then fetches them all by index and sorts, instead of walking the
    time index in the hope of meeting 50 of them soon (which reads the whole table when none
    match).
    """
    clauses, params = _inner_where(d, flt, central)
    direction = "DESC" if descending else "ASC"
    window = f"LIMIT {int(limit)} OFFSET {int(offset)}"
    if few and d.name == "postgres" and sort != "outcome":
        key = {**INNER_SORTS, "person": d.person}.get(sort, "c.ts")
        fenced = f"SELECT c.id AS fid, {key} AS k FROM {d.table} c WHERE {' AND '.join(clauses)} OFFSET 0"
        page = f"SELECT m0.fid, m0.k FROM ({fenced}) m0 ORDER BY m0.k {direction}, m0.fid {direction} {window}"
        inner = (f"SELECT {d.event_columns}, {d.person} AS person, c.verdict AS verdict, c.ts AS ts, "
                 f"c.platform AS platform, c.id AS row_id, {last_action(d)} AS last_action "
                 f"FROM ({page}) m JOIN {d.table} c ON c.id = m.fid")
        outer_key = SORTS.get(sort, SORTS["time"]).replace("p.", "q.")
        return (f"SELECT q.*, {outcome_sql('q.last_action', 'q.verdict')} AS outcome FROM ({inner}) q "
                f"ORDER BY {outer_key} {direction}, q.row_id {direction}", params)
    if sort == "outcome" and central is not None and central.tables.counts and not few:
        inner = (f"SELECT {d.event_columns}, {d.person} AS person, c.verdict AS verdict, c.ts AS ts, "
                 f"c.platform AS platform, c.id AS row_id, p.last_action AS last_action "
                 f"FROM postguard_posts p JOIN {d.table} c ON c.id = p.event_id WHERE {' AND '.join(clauses)} "
                 f"ORDER BY p.outcome {direction}, p.event_id {direction} {window}")
        return (f"SELECT q.*, {outcome_sql('q.last_action', 'q.verdict')} AS outcome FROM ({inner}) q "
                f"ORDER BY outcome {direction}, q.row_id {direction}", params)
    select = (f"SELECT {d.event_columns}, {d.person} AS person, c.verdict AS verdict, c.ts AS ts, "
              f"c.platform AS platform, {d.order_id} AS row_id, {last_action(d)} AS last_action "
              f"FROM {d.table} c WHERE {' AND '.join(clauses)}")
    if sort == "outcome":
        fence = "LIMIT -1" if d.name == "sqlite" else "OFFSET 0"  # keeps the lookup to once a row
        inner, outer_tail = f"{select} {fence}", f"ORDER BY outcome {direction}, q.row_id {direction} {window}"
    else:
        key = INNER_SORTS.get(sort, "c.ts")
        inner = f"{select} ORDER BY {key} {direction}, {d.order_id} {direction} {window}"
        outer_key = SORTS.get(sort, SORTS["time"]).replace("p.", "q.")
        outer_tail = f"ORDER BY {outer_key} {direction}, q.row_id {direction}"
    return (f"SELECT q.*, {outcome_sql('q.last_action', 'q.verdict')} AS outcome FROM ({inner}) q {outer_tail}",
            params)


def count_posts(reader, d: Dialect, flt: PostFilter, *, central: Central | None = None) -> int:
    """How many posts match, counted up to the dialect's cap + 1 (the page then says "10,000+")."""
    clauses, params = _inner_where(d, flt, central or central_plan(reader, d, flt))
    return reader.rows(f"SELECT COUNT(*) FROM (SELECT 1 FROM {d.table} c WHERE {' AND '.join(clauses)} "
                       f"LIMIT {d.count_cap + 1}) n", params)[0][0]


def find_posts(reader, d: Dialect, flt: PostFilter, *, sort: str = "time", descending: bool = True,
               limit: int = 50, offset: int = 0, matching: int | None = None,
               central: Central | None = None) -> list[Post]:
    """One page of matching posts, in the chosen order, each with all its decisions.

    `matching` is what `count_posts` said, when the caller has it (it picks the query plan).
    """
    few = matching is not None and matching <= d.count_cap
    sql, params = posts_sql(d, flt, sort=sort, descending=descending, limit=limit, offset=offset,
                            central=central or central_plan(reader, d, flt), few=few)
    rows = reader.rows(sql, params)
    posts = [Post(d.to_event(row[:d.event_width]), outcome=row[-1], person=row[d.event_width])
             for row in rows]
    attach_decisions(reader, d, posts)
    return posts


def attach_decisions(reader, d: Dialect, posts: list[Post]) -> None:
    """Fill each post's decisions (oldest first) with one query for the whole page."""
    import json

    by_scan = {p.check.get("scan_id"): p for p in posts if p.check.get("kind") == "check" and p.check.get("scan_id")}
    for post in posts:
        if post.check.get("kind") == "decision":
            post.decisions = [post.check]
    if not by_scan:
        return
    rows = reader.rows(f"SELECT {d.event_columns} FROM {d.table} c WHERE c.kind = 'decision' AND "
                       f"{d.in_list('c.scan_id')} ORDER BY c.ts, {d.order_id}", [json.dumps(list(by_scan))])
    for row in rows:
        event = d.to_event(row)
        by_scan[event["scan_id"]].decisions.append(event)


def post_by_scan(reader, d: Dialect, scan_id: str) -> Post | None:
    """One post by its scan id, with its outcome and decisions."""
    found = find_posts(reader, d, PostFilter(include_clean=True, scan_id=scan_id), limit=1)
    return found[0] if found else None
