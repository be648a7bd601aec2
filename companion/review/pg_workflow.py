"""The review workflow in the central PostgreSQL store, so every reviewer sees the same entries.

Same entries, chain and saved views as workflow.py (which keeps them in review.sqlite3 on
one computer), in three tables of the central database. Appending locks the head row, so
two reviewers writing at once still make one linear chain. A trigger refuses UPDATE and
DELETE on entries. The role the review page connects with needs INSERT on
`postguard_review_entries` and `postguard_saved_views` and UPDATE on `postguard_review_head`;
`open()` creates the tables when that role may.

    register_review(app, reader, settings, workflow=PostgresWorkflowStore.open(url))
"""

from __future__ import annotations

import threading

from companion.audit.chain import GENESIS, ChainLink, ChainReport, event_hash, verify_chain
from companion.audit.events import utc_timestamp
from companion.audit.sinks.pg_connect import connect, parse_central_db
from companion.errors import ConfigError
from companion.review.workflow import ENTRY_FIELDS, MAX_NAME_CHARS, PostReview, WorkflowError, _clean, fold, new_entry

DDL = """
CREATE TABLE IF NOT EXISTS postguard_review_entries (
    seq BIGINT PRIMARY KEY, entry_id TEXT NOT NULL UNIQUE, ts TEXT NOT NULL, action TEXT NOT NULL,
    post TEXT NOT NULL, reviewer TEXT NOT NULL, assignee TEXT, comment TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS postguard_review_entries_post ON postguard_review_entries (post, seq);
CREATE TABLE IF NOT EXISTS postguard_review_head (id INT PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL);
INSERT INTO postguard_review_head (id, seq, hash) VALUES (1, 0, '""" + GENESIS + """') ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS postguard_saved_views (name TEXT PRIMARY KEY, query TEXT NOT NULL, created TEXT NOT NULL);
CREATE OR REPLACE FUNCTION postguard_review_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'review entries are append-only'; END $$;
CREATE OR REPLACE TRIGGER postguard_review_entries_append_only BEFORE UPDATE OR DELETE ON postguard_review_entries
FOR EACH ROW EXECUTE FUNCTION postguard_review_append_only();
"""
_COLUMNS = ", ".join(ENTRY_FIELDS)
WORKFLOW_TABLES = ("postguard_review_entries", "postguard_review_head", "postguard_saved_views")


def workflow_tables_exist(conn) -> bool:
    """Whether the review entries' tables are there."""
    listed = " AND ".join(f"to_regclass('{name}') IS NOT NULL" for name in WORKFLOW_TABLES)
    return bool(conn.execute(f"SELECT {listed}").fetchone()[0])


class PostgresWorkflowStore:
    """Review entries and saved views in the central database; safe to share between threads."""

    def __init__(self, db, conn):
        self.db = db
        self._conn = conn
        self._lock = threading.Lock()

    @classmethod
    def open(cls, url: str) -> "PostgresWorkflowStore":
        """Connect, and create the tables on first use (`postguard audit init-db` makes them too, so
        a reviewers' role without CREATE rights finds them there)."""
        import psycopg

        db = parse_central_db(url, field="--db")
        conn = connect(db, autocommit=True)
        try:
            if not workflow_tables_exist(conn):
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(hashtext('postguard_review_schema'))")
                    conn.execute(DDL)
        except psycopg.errors.InsufficientPrivilege:
            conn.close()
            raise ConfigError(f"{db.describe()} has no tables for review entries yet, and this role may not create "
                              "them: run `postguard audit init-db` as the database's owner (docs/audit.md, "
                              "\"The central store\")", field="--db") from None
        return cls(db, conn)

    def append(self, *, action: str, post: str, reviewer: str, assignee: str | None = None,
               comment: str | None = None) -> dict:
        """Chain one entry onto the head (locked for the transaction) and commit it."""
        entry = new_entry(action=action, post=post, reviewer=reviewer, assignee=assignee, comment=comment)
        with self._lock, self._conn.transaction():
            seq, prev = self._conn.execute("SELECT seq, hash FROM postguard_review_head WHERE id = 1 FOR UPDATE").fetchone()
            entry.update(seq=seq + 1, prev_hash=prev)
            entry["hash"] = event_hash(entry, prev)
            self._conn.execute(f"INSERT INTO postguard_review_entries ({_COLUMNS}) VALUES "
                               f"({', '.join(['%s'] * len(ENTRY_FIELDS))})", [entry[f] for f in ENTRY_FIELDS])
            self._conn.execute("UPDATE postguard_review_head SET seq = %s, hash = %s WHERE id = 1",
                               (entry["seq"], entry["hash"]))
        return entry

    def _select(self, where: str, params: list) -> list[dict]:
        with self._lock:
            rows = self._conn.execute(f"SELECT {_COLUMNS} FROM postguard_review_entries {where}", params).fetchall()
        return [dict(zip(ENTRY_FIELDS, row)) for row in rows]

    def review_of(self, post: str) -> PostReview:
        return fold(self._select("WHERE post = %s ORDER BY seq", [post]))

    def reviews_of(self, posts: list[str]) -> dict[str, PostReview]:
        if not posts:
            return {}
        grouped: dict[str, list[dict]] = {p: [] for p in posts}
        for entry in self._select("WHERE post = ANY(%s) ORDER BY seq", [list(posts)]):
            grouped[entry["post"]].append(entry)
        return {post: fold(items) for post, items in grouped.items()}

    def reviewed_posts(self) -> list[str]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT DISTINCT ON (post) post, action FROM postguard_review_entries "
                "WHERE action IN ('reviewed', 'reopened') ORDER BY post, seq DESC").fetchall()
        return [post for post, action in rows if action == "reviewed"]

    def verify(self) -> ChainReport:
        entries = self._select("ORDER BY seq", [])
        with self._lock:
            seq, head = self._conn.execute("SELECT seq, hash FROM postguard_review_head WHERE id = 1").fetchone()
        return verify_chain(entries, head=ChainLink(seq, head) if seq else None)

    def save_view(self, name: str, query: str) -> None:
        name = _clean(name, MAX_NAME_CHARS, "View name")
        if not name:
            raise WorkflowError("View name: give the view a name")
        with self._lock:
            self._conn.execute("INSERT INTO postguard_saved_views (name, query, created) VALUES (%s, %s, %s) "
                               "ON CONFLICT (name) DO UPDATE SET query = EXCLUDED.query", (name, query[:2000], utc_timestamp()))

    def views(self) -> list[tuple[str, str]]:
        with self._lock:
            return [tuple(r) for r in self._conn.execute("SELECT name, query FROM postguard_saved_views ORDER BY name")]

    def delete_view(self, name: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM postguard_saved_views WHERE name = %s", (name,))

    def close(self) -> None:
        with self._lock:
            self._conn.close()


__all__ = ["PostgresWorkflowStore"]
