"""Verifying every laptop's hash chain in the central store, fast enough for a page badge.

Each laptop's events form their own chain (see chain.py). The walk re-hashes the exact
JSON the laptop sent (`canonical`) and compares it with the head the sink recorded in
`postguard_laptops`. It also checks that the query columns still say what that JSON says.
Otherwise someone could hide an event from the "blocked" filter by editing `verdict`.

Walking millions of events takes minutes, so the walk is incremental. A call re-hashes
only what arrived since the last call, starting from the last verified link of each
laptop. Every `full_every_s` (and on request, e.g. `postguard audit verify --db`) it
re-walks everything, which catches an edit to an old row. All of a walk reads one
REPEATABLE READ snapshot, so laptops forwarding meanwhile don't make it report a break.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
import time
from dataclasses import dataclass

from companion.audit.chain import ChainLink, ChainReport, anchor_from_checkpoints, verify_chain
from companion.audit.sinks.base import CentralStoreUnavailable
from companion.audit.sinks.pg_connect import CentralDb, connect, reason
from companion.audit.sinks.postgres import without_nul

# Query columns that must agree with the canonical JSON (seq orders the walk itself).
CHECKED_COLUMNS = ("seq", "event_id", "ts", "kind", "os_user", "host", "platform", "scan_id",
                   "verdict", "action", "categories")
_WALK_BATCH = 2000


@dataclass(frozen=True)
class LaptopReport:
    """One laptop's chain status."""

    laptop_id: str
    host: str | None
    report: ChainReport


def _walk_events(rows, column_problems: list[int]):
    """Events from rows of (CHECKED_COLUMNS..., canonical), noting rows whose columns were edited."""
    for row in rows:
        *columns, canonical = row
        try:
            event = json.loads(canonical)
        except ValueError:  # mangled JSON: keep the seq so the walk names it as edited
            event = {"seq": columns[0], "prev_hash": None, "hash": None}
        recorded = {name: without_nul(event.get(name)) for name in CHECKED_COLUMNS}
        if dict(zip(CHECKED_COLUMNS, columns)) != recorded:
            column_problems.append(columns[0])
        yield event


class ChainVerifier:
    """Walks each laptop's chain, remembering where each one was last verified."""

    def __init__(self, db: CentralDb, *, full_every_s: float):
        self.db = db
        self.full_every_s = full_every_s
        self._lock = threading.Lock()
        self._conn = None
        self._last_full: float | None = None
        self._known: dict[str, tuple[LaptopReport, ChainLink]] = {}

    def verify(self, *, full: bool = False) -> list[LaptopReport]:
        """Each laptop's report, sorted by host; incremental unless a full walk is due."""
        import psycopg

        with self._lock:
            full = full or self._last_full is None or time.monotonic() - self._last_full > self.full_every_s
            try:
                reports = self._verify_all(full)
            except psycopg.Error as exc:
                self._close_connection()
                raise CentralStoreUnavailable(
                    f"cannot verify the central audit store {self.db.describe()}: {reason(self.db, exc)}") from None
            if full:
                self._last_full = time.monotonic()
            return reports

    def _verify_all(self, full: bool) -> list[LaptopReport]:
        conn = self._connection()
        with conn.transaction():
            laptops = conn.execute(
                "SELECT laptop_id, host, head_seq, head_hash FROM postguard_laptops").fetchall()
            if full:  # rows whose laptop has no head record were inserted around the sink
                laptops += conn.execute(
                    "SELECT DISTINCT e.laptop_id, NULL, NULL::bigint, NULL FROM postguard_events e WHERE NOT "
                    "EXISTS (SELECT 1 FROM postguard_laptops l WHERE l.laptop_id = e.laptop_id)").fetchall()
            reports = [self._verify_laptop(conn, *laptop, full=full) for laptop in laptops]
        return sorted(reports, key=lambda r: (r.host or "", r.laptop_id))

    def _verify_laptop(self, conn, laptop_id: str, host: str | None, head_seq: int | None,
                       head_hash: str | None, *, full: bool) -> LaptopReport:
        """Walk one laptop's chain from its start, or from where it was last verified."""
        head = ChainLink(head_seq, head_hash) if head_seq is not None else None
        known = None if full else self._known.get(laptop_id)
        if known and not known[0].report.ok:
            return known[0]  # stays broken until a full walk finds it repaired
        start = known[1] if known else self._anchor(conn, laptop_id)
        before = known[0].report.checked if known else 0
        problems: list[int] = []
        with conn.cursor(name=f"walk_{abs(hash(laptop_id))}") as cur:
            cur.itersize = _WALK_BATCH
            cur.execute(f"SELECT {', '.join(CHECKED_COLUMNS)}, canonical FROM postguard_events "
                        "WHERE laptop_id = %s AND seq > %s ORDER BY seq",
                        (laptop_id, start.seq if start else 0))
            report = verify_chain(_walk_events(cur, problems), head=head, anchor=start)
        report = dataclasses.replace(report, checked=report.checked + before)
        if problems and (report.ok or problems[0] < report.first_broken):
            report = dataclasses.replace(
                report, ok=False, first_broken=problems[0],
                reason=f"event {problems[0]}'s columns differ from what the laptop sent: edited "
                       "in the central store")
        result = LaptopReport(laptop_id, host, report)
        if report.ok:
            self._known[laptop_id] = (result, ChainLink(report.head_seq, report.head_hash))
        else:
            self._known[laptop_id] = (result, start or ChainLink(0, ""))
        return result

    @staticmethod
    def _anchor(conn, laptop_id: str) -> ChainLink | None:
        """Where a laptop's chain starts if its log was pruned before it first forwarded."""
        first = conn.execute("SELECT min(seq) FROM postguard_events WHERE laptop_id = %s",
                             (laptop_id,)).fetchone()[0]
        if not first or first == 1:
            return None
        rows = conn.execute("SELECT canonical FROM postguard_events WHERE laptop_id = %s AND "
                            "kind = 'checkpoint' ORDER BY seq DESC", (laptop_id,)).fetchall()
        return anchor_from_checkpoints((json.loads(r[0]) for r in rows), first)

    @staticmethod
    def combined(reports: list[LaptopReport]) -> ChainReport:
        """One status for all laptops; `head_hash` fingerprints every laptop's head."""
        checked = sum(r.report.checked for r in reports)
        heads = "\n".join(f"{r.laptop_id}:{r.report.head_seq}:{r.report.head_hash}"
                          for r in sorted(reports, key=lambda r: r.laptop_id))
        fingerprint = hashlib.sha256(heads.encode("utf-8")).hexdigest()
        head_seq = sum(r.report.head_seq for r in reports)
        broken = [r for r in reports if not r.report.ok]
        if not broken:
            return ChainReport(True, checked, None, f"{len(reports)} laptops, {checked} events verified",
                               head_seq, fingerprint)
        first = broken[0]
        more = f"; {len(broken) - 1} more laptops broken" if len(broken) > 1 else ""
        reason_text = f"on laptop {first.host or '?'} ({first.laptop_id[:8]}), {first.report.reason}{more}"
        return ChainReport(False, checked, first.report.first_broken, reason_text, head_seq, fingerprint)

    def _connection(self):
        """A read-only REPEATABLE READ connection of its own, so walks never block page queries."""
        if self._conn is None or self._conn.closed:
            import psycopg

            self._conn = connect(self.db)
            self._conn.read_only = True
            self._conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        return self._conn

    def _close_connection(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        """Close the walk's connection; safe to call more than once."""
        with self._lock:
            self._close_connection()
