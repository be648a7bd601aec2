"""`AuditReader` over the central PostgreSQL store: the whole sales force on one review page.

`postguard audit serve --db postgresql://...` shows the same page as the companion's
/audit, reading every laptop's events. Semantics match the SQLite reader: `since` is inclusive,
`until` exclusive, `category` is a membership test, and daily counts go by UTC day.

What differs, because many laptops share one table:
- an event's `seq` here is the central row number (`postguard_events.id`), which is unique
  and which the page links and pages by. The laptop's own position in its chain is
  `laptop_seq`, and `laptop_id` says whose chain it is;
- the newest come first by event time (then row number), so a laptop that comes back online
  with a week of spooled events slots them into place instead of on top;
- `verify()` checks every laptop's chain on its own (verify.py has the walk). It reports
  the first broken one by host name and laptop id, and `verify_laptops()` gives each
  laptop's report.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from datetime import date, time as day_start, timezone

from companion.audit.chain import ChainReport
from companion.audit.pg_verify import ChainVerifier, LaptopReport
from companion.audit.query import DailyCount, EventFilter, where_clause
from companion.audit.sinks.base import CentralStoreUnavailable
from companion.audit.sinks.pg_connect import CentralDb, connect, parse_central_db, reason
from companion.audit.sinks.pg_review_tables import review_tables_ready, search_indexes_ready
from companion.audit.sinks.pg_schema import tables_exist
from companion.errors import ConfigError

_SELECT = "SELECT id, laptop_id, canonical FROM postguard_events"


def filter_sql(flt: EventFilter) -> tuple[str, list]:
    """A WHERE clause (always starting with WHERE) and its parameters for `flt`."""
    # jsonb membership, served by the GIN index
    return where_clause(flt, placeholder="%s", category_clause="categories ? %s",
                        category_param=lambda c: c)


@dataclasses.dataclass(frozen=True)
class ReviewTables:
    """Which of the review page's own tables (sinks/pg_review_tables.py) the store has."""

    counts: bool = False   # postguard_posts and the daily/monthly counts, kept by the ingest trigger
    search: bool = False   # the pg_trgm indexes of the search


def _whole_days(flt: EventFilter) -> bool:
    """Whether the filter's period is whole UTC days (what the daily counts can answer)."""
    return all(t is None or t.astimezone(timezone.utc).timetz().replace(tzinfo=None) == day_start(0)
               for t in (flt.since, flt.until))


def _connect(db: CentralDb):
    """A reading connection. JIT compiling is off: the page's queries are short, and on a large
    store the planner's cost estimates would make PostgreSQL spend ~100 ms compiling each one."""
    conn = connect(db, autocommit=True)
    conn.execute("SET jit = off")
    return conn


def central_event(row_id: int, laptop_id: str, canonical: str) -> dict:
    """The event as the laptop recorded it, numbered by its central row."""
    event = json.loads(canonical)
    event["laptop_seq"] = event.get("seq")
    event["laptop_id"] = laptop_id
    event["seq"] = row_id
    return event


class PostgresAuditReader:
    """Read access to the central store for review; safe to share between threads."""

    extra_fields = ("laptop_id", "laptop_seq")  # exports say whose chain an event is on
    dialect = "postgres"  # the review page's post and people queries (companion/review/sql.py)

    def __init__(self, db: CentralDb, conn, *, full_verify_every_s: float = 300.0, review_tables: bool = True):
        """Use `PostgresAuditReader.open(url)`. With `review_tables=False` the page reads the events
        alone, as on a store without them (the tests compare the two)."""
        self.db = db
        self._conn = conn
        self._lock = threading.Lock()
        self._verifier = ChainVerifier(db, full_every_s=full_verify_every_s)
        self._tables: tuple[float, ReviewTables] | None = None
        self._use_tables = review_tables

    @classmethod
    def open(cls, url: str, **options) -> "PostgresAuditReader":
        """Connect and check the Postguard tables are there; reading never creates them."""
        db = parse_central_db(url, field="--db")
        conn = _connect(db)
        try:
            if not tables_exist(conn):
                raise ConfigError(f"{db.describe()} holds no Postguard audit tables yet: has a laptop "
                                  "with central_db set forwarded any event? (is the database name right?)",
                                  field="--db")
        except Exception:
            conn.close()
            raise
        return cls(db, conn, **options)

    def _rows(self, sql: str, params: list) -> list[tuple]:
        """Run one read query; reconnect once if the server dropped the connection."""
        import psycopg

        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._conn.closed:
                        self._conn = _connect(self.db)
                    return self._conn.execute(sql, params).fetchall()
                except psycopg.OperationalError as exc:
                    self._conn.close()
                    if attempt == 2:
                        raise CentralStoreUnavailable(
                            f"cannot read the central audit store {self.db.describe()}: "
                            f"{reason(self.db, exc)}") from None
        raise AssertionError("unreachable")

    def rows(self, sql: str, params: list) -> list[tuple]:
        """One read query of the review page's own (companion/review/sql.py)."""
        return self._rows(sql, params)

    def query(self, flt: EventFilter, *, limit: int = 50, before_seq: int | None = None) -> list[dict]:
        """Matching events, newest first; with `before_seq` (a row number), those after that row."""
        where, params = filter_sql(flt)
        if before_seq is not None:
            where += " AND (ts, id) < (SELECT ts, id FROM postguard_events WHERE id = %s)"
            params.append(before_seq)
        rows = self._rows(f"{_SELECT} {where} ORDER BY ts DESC, id DESC LIMIT %s", [*params, max(0, limit)])
        return [central_event(*row) for row in rows]

    count_cap = 10_000  # the event log says "10,000+" past this: counting millions costs seconds

    def count(self, flt: EventFilter, *, cap: int | None = None) -> int:
        """How many events match `flt`, all laptops together; with `cap`, counted up to cap + 1."""
        where, params = filter_sql(flt)
        if cap is None:
            return self._rows(f"SELECT count(*) FROM postguard_events {where}", params)[0][0]
        return self._rows(f"SELECT count(*) FROM (SELECT 1 FROM postguard_events {where} LIMIT %s) n",
                          [*params, cap + 1])[0][0]

    def review_tables(self, *, max_age_s: float = 60.0, building_max_age_s: float = 3.0) -> ReviewTables:
        """Which review tables and indexes the store has, looked up at most once a `max_age_s` once
        all are there, and once a `building_max_age_s` while some are not: a store being built in
        the background (central/store_build.py) is used within seconds of being ready, not a minute
        later, and the look-up (two catalogue queries, under a millisecond) stays rare."""
        if not self._use_tables:
            return ReviewTables()
        cached = self._tables
        if cached:
            age, found = time.monotonic() - cached[0], cached[1]
            if age < (max_age_s if found.counts and found.search else min(max_age_s, building_max_age_s)):
                return found
        with self._lock:
            if self._conn.closed:
                self._conn = _connect(self.db)
            found = ReviewTables(review_tables_ready(self._conn, readable=True), search_indexes_ready(self._conn))
        self._tables = (time.monotonic(), found)
        return found

    def daily_counts(self, flt: EventFilter) -> list[DailyCount]:
        """Per UTC day and category, how many checks found something of that category.

        Read from the daily counts when the filter is whole days by site and category only
        (the chart's usual question), else from the events.
        """
        rest = dataclasses.replace(flt, since=None, until=None, platform=None, category=None)
        if rest == EventFilter() and _whole_days(flt) and self.review_tables().counts:
            return self._daily_counts_from_rollup(flt)
        where, params = filter_sql(flt)
        only = ""
        if flt.category is not None:
            only = "AND found = %s"
            params.append(flt.category)
        rows = self._rows(
            "SELECT substr(ts, 1, 10) AS day, found, count(*) FROM postguard_events "
            "CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(categories) = 'array' "
            f"THEN categories ELSE '[]'::jsonb END) AS found {where} AND kind = 'check' {only} "
            "GROUP BY day, found ORDER BY day, found", params)
        return [DailyCount(date.fromisoformat(day), category, n) for day, category, n in rows]

    def _daily_counts_from_rollup(self, flt: EventFilter) -> list[DailyCount]:
        clauses, params = ["1 = 1"], []
        for column, value in (("day >=", flt.since), ("day <", flt.until)):
            if value is not None:
                clauses.append(f"{column} %s")
                params.append(value.astimezone(timezone.utc).date().isoformat())
        for column, value in (("platform", flt.platform), ("category", flt.category)):
            if value is not None:
                clauses.append(f"{column} = %s")
                params.append(value)
        rows = self._rows(f"SELECT day, category, sum(checks)::bigint FROM postguard_daily_findings "
                          f"WHERE {' AND '.join(clauses)} GROUP BY day, category ORDER BY day, category", params)
        return [DailyCount(date.fromisoformat(day), category, n) for day, category, n in rows if n]

    def event(self, seq: int) -> dict | None:
        """One event by its central row number, or None."""
        rows = self._rows(f"{_SELECT} WHERE id = %s", [seq])
        return central_event(*rows[0]) if rows else None

    def scan_events(self, scan_id: str) -> list[dict]:
        """The check and decisions of one post, oldest first (scan ids are random, so unique)."""
        rows = self._rows(f"{_SELECT} WHERE scan_id = %s ORDER BY laptop_id, seq", [scan_id])
        return [central_event(*row) for row in rows]

    def laptops(self) -> list[dict]:
        """Every laptop that forwarded: id, host, user, newest seq, when last heard from."""
        rows = self._rows("SELECT laptop_id, host, os_user, first_seq, head_seq, last_seen "
                          "FROM postguard_laptops ORDER BY host, laptop_id", [])
        names = ("laptop_id", "host", "os_user", "first_seq", "head_seq", "last_seen")
        return [dict(zip(names, row)) for row in rows]

    def verify_laptops(self, *, full: bool = False) -> list[LaptopReport]:
        """Each laptop's chain report (a full walk when asked, or when the last one is old)."""
        return self._verifier.verify(full=full)

    def verify(self) -> ChainReport:
        """All chains in one status for the page's badge; see `verify_laptops` for each one.

        `first_broken` is a central row number, like every `seq` this reader gives out, so
        the page's link opens the broken event (or, for deleted ones, the event after the gap).
        The reason names the laptop and its own seq.
        """
        reports = self._verifier.verify()
        combined = self._verifier.combined(reports)
        if combined.ok:
            return combined
        broken = next(r for r in reports if not r.report.ok)
        rows = self._rows("(SELECT id FROM postguard_events WHERE laptop_id = %s AND seq >= %s ORDER BY seq LIMIT 1) "
                          "UNION ALL (SELECT id FROM postguard_events WHERE laptop_id = %s ORDER BY seq DESC LIMIT 1)",
                          [broken.laptop_id, broken.report.first_broken, broken.laptop_id])
        return dataclasses.replace(combined, first_broken=rows[0][0]) if rows else combined

    def close(self) -> None:
        """Close the connections; safe to call more than once."""
        with self._lock:
            self._conn.close()
        self._verifier.close()
