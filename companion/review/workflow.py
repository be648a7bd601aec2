"""The review workflow: reviewed, assigned, reopened and comment entries on posts, hash-chained.

Entries are append-only and chained with the same code as audit events (audit/chain.py):
each entry's hash covers the previous one, a head record moves in the same transaction, and
triggers refuse UPDATE and DELETE. `verify()` names the first entry someone changed. The
chain is the review's own, next to the laptop's event chain rather than inside it: on the
central service reviewers write here, while only laptops write event chains.

A post's state is the fold of its entries: the newest `reviewed`/`reopened` says whether it
is reviewed, the newest `assigned` says to whom. Saved views (a name and a query string)
live in the same file; they are conveniences, not evidence, so they are not chained.

The local store is `review.sqlite3` in the data dir (0600).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from companion.audit.chain import GENESIS, ChainLink, ChainReport, event_hash, verify_chain
from companion.audit.events import utc_timestamp
from companion.errors import PostguardError

DB_FILE_NAME = "review.sqlite3"
ACTIONS = ("reviewed", "reopened", "assigned", "comment")
ENTRY_FIELDS = ("seq", "entry_id", "ts", "action", "post", "reviewer", "assignee", "comment", "prev_hash", "hash")
MAX_COMMENT_CHARS = 2000
MAX_NAME_CHARS = 120

SCHEMA = """
CREATE TABLE IF NOT EXISTS review_entries (
    seq INTEGER PRIMARY KEY, entry_id TEXT NOT NULL UNIQUE, ts TEXT NOT NULL,
    action TEXT NOT NULL, post TEXT NOT NULL, reviewer TEXT NOT NULL, assignee TEXT, comment TEXT,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS review_entries_post ON review_entries (post, seq);
CREATE TABLE IF NOT EXISTS review_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS review_entries_no_update BEFORE UPDATE ON review_entries
BEGIN SELECT RAISE(ABORT, 'review entries are append-only'); END;
CREATE TRIGGER IF NOT EXISTS review_entries_no_delete BEFORE DELETE ON review_entries
BEGIN SELECT RAISE(ABORT, 'review entries are append-only'); END;
CREATE TABLE IF NOT EXISTS saved_views (
    name TEXT PRIMARY KEY, query TEXT NOT NULL, created TEXT NOT NULL
);
"""


class WorkflowError(PostguardError):
    """A review entry that cannot be written (bad input or an unreadable store)."""

    http_status = 400
    code = "bad_review_entry"


@dataclass
class PostReview:
    """Where a post stands in review, and its entries oldest first."""

    reviewed: bool = False
    assignee: str | None = None
    entries: list[dict] = field(default_factory=list)


def fold(entries: list[dict]) -> PostReview:
    """A post's state from its entries, oldest first."""
    state = PostReview(entries=entries)
    for entry in entries:
        if entry["action"] in ("reviewed", "reopened"):
            state.reviewed = entry["action"] == "reviewed"
        elif entry["action"] == "assigned":
            state.assignee = entry["assignee"] or None
    return state


def new_entry(*, action: str, post: str, reviewer: str, assignee: str | None, comment: str | None) -> dict:
    """A checked, unchained entry (no seq or hashes yet): the same rules for every store."""
    if action not in ACTIONS:
        raise WorkflowError(f"Action: not one of {', '.join(ACTIONS)}")
    reviewer = _clean(reviewer, MAX_NAME_CHARS, "Your name")
    if not reviewer:
        raise WorkflowError("Your name: say who is reviewing, so the entry names its author")
    entry = dict.fromkeys(ENTRY_FIELDS)
    entry.update(entry_id=str(uuid.uuid4()), ts=utc_timestamp(), action=action,
                 post=_clean(post, 80, "Post"), reviewer=reviewer,
                 assignee=_clean(assignee, MAX_NAME_CHARS, "Assign to"),
                 comment=_clean(comment, MAX_COMMENT_CHARS, "Comment"))
    if action == "comment" and not entry["comment"]:
        raise WorkflowError("Comment: write something first")
    return entry


def _clean(text: str | None, limit: int, label: str) -> str | None:
    text = (text or "").strip()
    if len(text) > limit:
        raise WorkflowError(f"{label}: longer than {limit} characters")
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise WorkflowError(f"{label}: holds control characters")
    return text or None


class SqliteWorkflowStore:
    """Review entries and saved views in one SQLite file; safe to share between threads."""

    def __init__(self, data_dir: Path):
        self.db_path = Path(data_dir) / DB_FILE_NAME
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        """The connection, made (and the file created 0600) on first use."""
        if self._conn is None:
            if not self.db_path.exists():
                self.db_path.parent.mkdir(parents=True, exist_ok=True)
                os.close(os.open(self.db_path, os.O_WRONLY | os.O_CREAT, 0o600))
            conn = sqlite3.connect(self.db_path, isolation_level=None, check_same_thread=False, timeout=10)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.executescript(f"BEGIN IMMEDIATE;{SCHEMA}COMMIT;")
            self._conn = conn
        return self._conn

    def append(self, *, action: str, post: str, reviewer: str, assignee: str | None = None,
               comment: str | None = None) -> dict:
        """Chain one entry onto the head and commit it; returns the entry."""
        entry = new_entry(action=action, post=post, reviewer=reviewer, assignee=assignee, comment=comment)
        with self._lock:
            conn = self._db()
            conn.execute("BEGIN IMMEDIATE")
            try:
                head = conn.execute("SELECT seq, hash FROM review_head WHERE id = 1").fetchone() or (0, GENESIS)
                entry.update(seq=head[0] + 1, prev_hash=head[1])
                entry["hash"] = event_hash(entry, head[1])
                conn.execute(f"INSERT INTO review_entries ({', '.join(ENTRY_FIELDS)}) VALUES "
                             f"({', '.join('?' * len(ENTRY_FIELDS))})", [entry[f] for f in ENTRY_FIELDS])
                conn.execute("INSERT INTO review_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) "
                             "DO UPDATE SET seq = excluded.seq, hash = excluded.hash", (entry["seq"], entry["hash"]))
                conn.execute("COMMIT")
            except sqlite3.Error:
                conn.execute("ROLLBACK")
                raise
        return entry

    def _select(self, where: str, params: list) -> list[dict]:
        with self._lock:
            rows = self._db().execute(f"SELECT {', '.join(ENTRY_FIELDS)} FROM review_entries {where}",
                                      params).fetchall()
        return [dict(zip(ENTRY_FIELDS, row)) for row in rows]

    def review_of(self, post: str) -> PostReview:
        """One post's state and entries."""
        return fold(self._select("WHERE post = ? ORDER BY seq", [post]))

    def reviews_of(self, posts: list[str]) -> dict[str, PostReview]:
        """The state of each of `posts` (a page of the table) in one query."""
        if not posts:
            return {}
        entries = self._select("WHERE post IN (SELECT value FROM json_each(?)) ORDER BY seq",
                               [__import__("json").dumps(posts)])
        grouped: dict[str, list[dict]] = {p: [] for p in posts}
        for entry in entries:
            grouped[entry["post"]].append(entry)
        return {post: fold(items) for post, items in grouped.items()}

    def reviewed_posts(self) -> list[str]:
        """Every post whose newest reviewed/reopened entry is `reviewed`."""
        with self._lock:
            rows = self._db().execute(
                "SELECT post FROM review_entries r WHERE action IN ('reviewed', 'reopened') AND seq = "
                "(SELECT MAX(seq) FROM review_entries x WHERE x.post = r.post AND x.action IN ('reviewed', 'reopened')) "
                "AND action = 'reviewed'").fetchall()
        return [row[0] for row in rows]

    def verify(self) -> ChainReport:
        """The review chain's own status, as `verify` reports the event chain."""
        entries = self._select("ORDER BY seq", [])
        with self._lock:
            head = self._db().execute("SELECT seq, hash FROM review_head WHERE id = 1").fetchone()
        return verify_chain(entries, head=ChainLink(*head) if head else None)

    def save_view(self, name: str, query: str) -> None:
        """Keep (or replace) a named query string."""
        name = _clean(name, MAX_NAME_CHARS, "View name")
        if not name:
            raise WorkflowError("View name: give the view a name")
        with self._lock:
            self._db().execute("INSERT INTO saved_views (name, query, created) VALUES (?, ?, ?) ON CONFLICT (name) "
                               "DO UPDATE SET query = excluded.query", (name, query[:2000], utc_timestamp()))

    def views(self) -> list[tuple[str, str]]:
        """Saved views (name, query string), by name."""
        with self._lock:
            return [tuple(r) for r in self._db().execute("SELECT name, query FROM saved_views ORDER BY name")]

    def delete_view(self, name: str) -> None:
        with self._lock:
            self._db().execute("DELETE FROM saved_views WHERE name = ?", (name,))

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
