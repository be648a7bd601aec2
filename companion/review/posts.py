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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from companion.audit.events import utc_timestamp
from companion.review.sql import Dialect

OUTCOMES = ("clean", "edited", "redacted", "overridden", "cancelled", "blocked", "posted", "open")
SORTS = {
    "time": "p.ts", "person": "p.person", "platform": "p.platform", "outcome": "p.outcome",
    "verdict": "(CASE p.verdict WHEN 'block' THEN 3 WHEN 'warn' THEN 2 WHEN 'allow' THEN 1 ELSE 0 END)",
}
COUNT_CAP = 10_000  # "10,000+ posts": an exact count past this costs more than it tells


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


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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


def _inner_where(d: Dialect, flt: PostFilter) -> tuple[list[str], list]:
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
    if flt.rule is not None:
        clauses.append(f"{d.text_of('rules')} {d.like} {ph} ESCAPE '\\'")
        params.append(f'%"{_escape_like(flt.rule)}"%')
    if not flt.include_clean and flt.outcome is None and flt.verdict is None:
        clauses.append("(c.verdict IS NULL OR c.verdict <> 'allow')")
    if flt.search:
        clauses.append(_search_clause(d))
        params.extend([f"%{_escape_like(flt.search)}%"] * 6)
    if flt.review in ("open", "reviewed") and flt.reviewed is not None:
        import json

        test = d.in_list("c.scan_id")
        clauses.append(test if flt.review == "reviewed" else f"NOT ({test})")
        params.append(json.dumps(flt.reviewed))
    return clauses, params


def _search_clause(d: Dialect) -> str:
    """Who, rule, category, platform or justification contains the words (never excerpts)."""
    ph, like = d.ph, d.like
    esc = "ESCAPE '\\'"
    return (f"(c.os_user {like} {ph} {esc} OR {d.identity} {like} {ph} {esc} "
            f"OR {d.text_of('rules')} {like} {ph} {esc} OR {d.text_of('categories')} {like} {ph} {esc} "
            f"OR c.platform {like} {ph} {esc} OR EXISTS (SELECT 1 FROM {d.table} j WHERE j.scan_id = c.scan_id "
            f"AND j.kind = 'decision' AND j.justification {like} {ph} {esc}))")


def posts_sql(d: Dialect, flt: PostFilter) -> tuple[str, list]:
    """SELECT of every matching post as `p` (event columns, person, verdict, ts, outcome)."""
    clauses, params = _inner_where(d, flt)
    inner = (f"SELECT {d.event_columns}, {d.person} AS person, c.verdict AS verdict, c.ts AS ts, "
             f"c.platform AS platform, {d.order_id} AS row_id, {last_action(d)} AS last_action "
             f"FROM {d.table} c WHERE {' AND '.join(clauses)}")
    outer = (f"SELECT q.*, {outcome_sql('q.last_action', 'q.verdict')} AS outcome FROM ({inner}) q")
    if flt.outcome is not None:
        return f"SELECT * FROM ({outer}) p WHERE p.outcome = {d.ph}", [*params, flt.outcome]
    return f"SELECT * FROM ({outer}) p", params


def count_posts(reader, d: Dialect, flt: PostFilter) -> int:
    """How many posts match, counted up to `COUNT_CAP` + 1 (the page says "10,000+")."""
    sql, params = posts_sql(d, flt)
    return reader.rows(f"SELECT COUNT(*) FROM ({sql} LIMIT {COUNT_CAP + 1}) n", params)[0][0]


def find_posts(reader, d: Dialect, flt: PostFilter, *, sort: str = "time", descending: bool = True,
               limit: int = 50, offset: int = 0) -> list[Post]:
    """One page of matching posts, in the chosen order, each with all its decisions."""
    sql, params = posts_sql(d, flt)
    direction = "DESC" if descending else "ASC"
    order = f"{SORTS.get(sort, SORTS['time'])} {direction}, p.row_id {direction}"
    rows = reader.rows(f"{sql} ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}", params)
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
