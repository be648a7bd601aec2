"""The index for one- and two-character searches (companion/central/short_search.py) is built
without holding laptops' events back: a central service started for the first time on an existing
store takes events while it builds it, and searches answer meanwhile. A build that stopped
half-way leaves an INVALID index, which the next build drops and builds again.

The builds are made to wait where a real one spends its minutes: the test holds a writer's lock on
the events table (ROW EXCLUSIVE, as an ingest transaction does), so the concurrent build stays in
its "waiting for writers" phase until the test lets go. Real PostgreSQL, a real `postguard central
serve`, events sent by a real companion's forwarder."""

from __future__ import annotations

import json
import threading
from urllib.parse import quote

import psycopg
import pytest
from test_postgres_reader import forward_all
from test_review_short_search import chinese_team_log

from central_servers import Central, postguard, wait_until
from companion.audit import AuditStore
from companion.audit.pg_reader import PostgresAuditReader
from companion.audit.sinks import Backoff, start_forwarding
from companion.audit.sqlite_reader import SqliteAuditReader
from companion.central import short_search
from companion.central.schema import ensure_central_schema
from companion.config import Settings
from companion.review.central_posts import short_search_index
from companion.review.posts import PostFilter, find_posts
from companion.review.sql import SQLITE
from sink_servers import new_database, postgres, record_sample_events  # noqa: F401 (fixture)

FAST = {"backoff": Backoff(0.05, 0.4), "poll_s": 0.5}


@pytest.fixture
def existing_store(postgres, tmp_path):
    """A central store that laptops wrote straight into before the central service existed (the
    audit store's tables and review tables, no short-search index); returns (url, the laptop's log)."""
    url = new_database(postgres)
    data_dir = tmp_path / "laptop-before"
    chinese_team_log(data_dir, count=240)
    store = AuditStore.open(data_dir)
    forward_all(store, url)
    with psycopg.connect(url, autocommit=True) as conn:
        assert short_search.index_state(conn) == "missing"
    yield url, store
    store.close()


class WriterLock:
    """A transaction holding ROW EXCLUSIVE on the events, as an ingest transaction does: rows can
    still be inserted, while a concurrent index build waits for it to end."""

    def __init__(self, url: str):
        self.conn = psycopg.connect(url)
        self.conn.execute("LOCK TABLE postguard_events IN ROW EXCLUSIVE MODE")

    def release(self) -> None:
        if not self.conn.closed:
            self.conn.rollback()
            self.conn.close()


def waiting_build(url: str) -> tuple[int, str] | None:
    """(pid, phase) of the concurrent build of the short-search index while it waits for writers."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(
            "SELECT p.pid, p.phase FROM pg_stat_progress_create_index p "
            f"WHERE p.index_relid = to_regclass('{short_search.INDEX}') AND p.phase LIKE 'waiting for writers%%'"
        ).fetchone()


def cancel_build_half_way(url: str, build, waiting) -> tuple[list[BaseException], tuple]:
    """Run `build(conn)` in a thread while a writer holds the events table, and cancel it once
    `waiting(url)` sees it wait for writers, as a killed instance or a cancelled build would stop
    it. Returns what the build raised and what `waiting` saw ((pid, ...))."""
    writer = WriterLock(url)
    failures: list[BaseException] = []

    def run():
        with psycopg.connect(url, autocommit=True) as conn:
            try:
                build(conn)
            except psycopg.Error as exc:
                failures.append(exc)

    builder = threading.Thread(target=run)
    builder.start()
    try:
        seen = wait_until(lambda: waiting(url), 60, "the concurrent build")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SELECT pg_cancel_backend(%s)", [seen[0]])
        builder.join(60)
    finally:
        writer.release()
    return failures, seen


def state(url: str) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        return short_search.index_state(conn)


def test_the_first_start_on_an_existing_store_takes_events_while_the_index_is_built(existing_store, tmp_path):
    url, before = existing_store
    key_dir = tmp_path / "keys"
    postguard("central", "keygen", "--key-dir", str(key_dir))
    writer = WriterLock(url)
    central = Central(url, key_dir, tmp_path / "central.log")
    try:
        central.start()  # no init-db: the service's first start makes what it needs
        wait_until(lambda: waiting_build(url), 120, "the service's concurrent build of the short-search index")
        assert state(url) == "invalid", "being built: the planner does not use it yet"

        laptop = AuditStore.open(tmp_path / "laptop-now")
        sent = record_sample_events(laptop, 9)
        forwarder = start_forwarding(Settings(data_dir=laptop.db_path.parent, central_url=central.url,
                                              central_enroll_code=central.enroll_code()), laptop, **FAST)
        try:
            assert forwarder.wait_until_delivered(60), "events are accepted while the index is built"
        finally:
            forwarder.stop()
        with psycopg.connect(url) as conn:
            stored = {row[0] for row in conn.execute("SELECT event_id FROM postguard_events")}
        assert {e["event_id"] for e in sent} <= stored
        assert waiting_build(url), "the build was still waiting all along"

        central.account("rita")
        session = central.session("rita")
        expected = {p.check["scan_id"] for log in (before, laptop)  # both laptops' posts, as each finds them
                    for p in find_posts(SqliteAuditReader(log), SQLITE, PostFilter(search="价格"), limit=2000)}
        laptop.close()
        assert expected

        def found() -> set[str]:
            export = session.get(f"{central.url}/audit/posts/export.jsonl?q={quote('价格')}", timeout=60)
            assert export.status_code == 200
            return {json.loads(line)["post"] for line in export.text.splitlines()}

        assert found() == expected, "a short search answers while the index is built (reading the decisions)"

        writer.release()
        wait_until(lambda: state(url) == "ready", 120, "the short-search index to be ready")
        wait_until(lambda: "ready (built here" in central.log(), 30, "the service to log it")
        assert found() == expected
    finally:
        writer.release()
        central.stop()


def test_a_build_stopped_half_way_leaves_an_invalid_index_that_the_next_build_replaces(postgres, tmp_path):
    url = new_database(postgres)
    with psycopg.connect(url, autocommit=True) as conn:
        ensure_central_schema(conn)
    store = AuditStore.open(tmp_path / "laptop")
    record_sample_events(store, 16)
    forward_all(store, url)
    store.close()

    failures, _ = cancel_build_half_way(url, short_search.build, waiting_build)
    assert [type(f) for f in failures] == [psycopg.errors.QueryCanceled]
    assert state(url) == "invalid"
    with psycopg.connect(url, autocommit=True) as conn:
        leftover = conn.execute(f"SELECT to_regclass('{short_search.INDEX}')::oid").fetchone()[0]
    reader = PostgresAuditReader.open(url)
    try:
        assert short_search_index(reader) is False, "a short search does not count on an invalid index"
    finally:
        reader.close()

    postguard("central", "init-db", "--db", url)
    with psycopg.connect(url, autocommit=True) as conn:
        assert short_search.index_state(conn) == "ready"
        oid, definition = conn.execute(f"SELECT to_regclass('{short_search.INDEX}')::oid, "
                                       f"pg_get_indexdef(to_regclass('{short_search.INDEX}'))").fetchone()
    assert oid != leftover, "dropped and built again, not kept as it was"
    assert "USING gin (postguard_short_pieces(justification))" in definition
