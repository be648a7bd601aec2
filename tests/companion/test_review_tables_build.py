"""The review page's tables and indexes (companion/audit/sinks/pg_review_tables.py) are added to a
store that has events without holding laptops' events back: the first start after an upgrade, on
millions of events, builds the indexes concurrently and counts the older events in batches, while
new events keep arriving; the counts then match a rebuild from all events. A build that stopped
half-way leaves an INVALID index, which the next start drops and builds again.

The builds are made to wait where a real one spends its minutes: the test holds a writer's lock on
the events table (ROW EXCLUSIVE, as an ingest transaction does), so a concurrent build stays in its
"waiting for writers" phase until the test lets go. Real PostgreSQL, events sent by real
companions' forwarders."""

from __future__ import annotations

import logging
import threading

import psycopg
import pytest
from test_central_short_search_index import WriterLock, cancel_build_half_way
from test_postgres_reader import forward_all

from central_servers import wait_until
from companion.audit import AuditStore
from companion.audit.pg_reader import PostgresAuditReader, ReviewTables
from companion.audit.sinks.pg_review_tables import (
    BACKFILL,
    EVENT_INDEXES,
    REVIEW_TABLES,
    ensure_review_tables,
    review_tables_ready,
    search_index_sql,
    search_indexes_ready,
)
from sink_servers import new_database, postgres, record_sample_events  # noqa: F401 (fixture)

INDEXES = [*EVENT_INDEXES, *search_index_sql()]


@pytest.fixture
def upgraded_store(postgres, tmp_path):
    """A store holding a laptop's events from before the review page's tables and indexes existed;
    returns (url, the laptop's log, the scan ids of its checks, oldest first)."""
    url = new_database(postgres)
    laptop = AuditStore.open(tmp_path / "laptop")
    events = record_sample_events(laptop, 60)
    forward_all(laptop, url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TRIGGER postguard_events_review ON postguard_events")
        conn.execute(f"DROP TABLE {', '.join(REVIEW_TABLES)}")
        for name in INDEXES:
            conn.execute(f"DROP INDEX {name}")
        assert not review_tables_ready(conn) and not search_indexes_ready(conn)
    yield url, laptop, [e["scan_id"] for e in events if e["kind"] == "check"]
    laptop.close()


def waiting_build(url: str) -> tuple[int, str] | None:
    """(pid, index name) of a concurrent build of one of the review page's indexes waiting for writers."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(
            "SELECT pid, index_relid::regclass::text FROM pg_stat_progress_create_index "
            "WHERE index_relid::regclass::text = ANY(%s) AND phase LIKE 'waiting for writers%%'", [INDEXES]).fetchone()


def snapshot(conn) -> dict[str, list[str]]:
    """Every row of the review page's tables, in a fixed order."""
    return {table: [row[0] for row in conn.execute(f"SELECT t::text FROM {table} t ORDER BY 1")]
            for table in REVIEW_TABLES}


def assert_counts_match_a_rebuild(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        kept = snapshot(conn)
        assert kept["postguard_posts"] and kept["postguard_daily_people"]
        conn.execute("SELECT postguard_rebuild_review()")
        assert kept == snapshot(conn), "the counts kept while events arrived are those of all events"


def stored_event_ids(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {row[0] for row in conn.execute("SELECT event_id FROM postguard_events")}


def test_events_arrive_while_the_first_start_builds_the_review_tables(upgraded_store, tmp_path):
    url, laptop, checks = upgraded_store
    writer = WriterLock(url)
    outcome: dict[str, object] = {}

    def first_start():
        with psycopg.connect(url, autocommit=True) as conn:
            outcome["notes"] = ensure_review_tables(conn)

    builder = threading.Thread(target=first_start)
    builder.start()
    try:
        wait_until(lambda: waiting_build(url), 60, "the concurrent build of the review page's indexes")
        # an old post decided now, and a second laptop's first events: both taken during the build
        decision = laptop.record_decision(scan_id=checks[0], action="redacted", justification="removed the price",
                                          platform="linkedin")
        forward_all(laptop, url)
        other = AuditStore.open(tmp_path / "laptop-now")
        sent = record_sample_events(other, 9)
        forward_all(other, url)
        other.close()
        assert {decision["event_id"], *(e["event_id"] for e in sent)} <= stored_event_ids(url)
        assert waiting_build(url), "the build was still waiting all along"
        reader = PostgresAuditReader.open(url)
        try:
            assert not reader.review_tables().counts, "the page reads the events until the tables are filled in"
        finally:
            reader.close()
    finally:
        writer.release()
    builder.join(120)
    assert not builder.is_alive()
    assert outcome["notes"] == []
    with psycopg.connect(url, autocommit=True) as conn:
        assert review_tables_ready(conn) and search_indexes_ready(conn)
        redacted = conn.execute("SELECT outcome FROM postguard_posts WHERE scan_id = %s", [checks[0]]).fetchone()
    assert redacted == ("redacted",)
    assert_counts_match_a_rebuild(url)


def test_older_events_are_counted_in_batches_while_new_ones_and_decisions_arrive(upgraded_store, tmp_path):
    url, laptop, checks = upgraded_store
    other = AuditStore.open(tmp_path / "laptop-now")
    batches: list[tuple[int, int, bool]] = []

    def between_batches():
        """A laptop delivers between two batches: no batch holds it back, and the page waits for the last."""
        with psycopg.connect(url, autocommit=True) as conn:
            next_id, upto = conn.execute(f"SELECT next_id, upto FROM {BACKFILL}").fetchone()
            batches.append((next_id, upto, review_tables_ready(conn)))
        if len(batches) == 1:  # the newest post, not counted yet, decided now; new events
            laptop.record_decision(scan_id=checks[-1], action="overridden", justification="approved by legal",
                                   platform="linkedin")
            forward_all(laptop, url)
        elif len(batches) == 3:  # the oldest post, counted already, decided again
            laptop.record_decision(scan_id=checks[0], action="cancelled", justification="", platform="linkedin")
            forward_all(laptop, url)
        record_sample_events(other, 5)
        forward_all(other, url)

    try:
        with psycopg.connect(url, autocommit=True) as conn:
            assert ensure_review_tables(conn, batch_events=7, between_batches=between_batches) == []
            assert review_tables_ready(conn)
            outcomes = dict(conn.execute("SELECT scan_id, outcome FROM postguard_posts WHERE scan_id = ANY(%s)",
                                         [[checks[0], checks[-1]]]).fetchall())
    finally:
        other.close()
    upto = batches[0][1]
    assert upto >= 60, "every event stored before the first start, and none of those after it"
    assert [n for n, _, _ in batches] == [*range(8, upto + 1, 7), upto + 1], "batches of seven ids"
    assert not any(ready for _, _, ready in batches)
    assert outcomes == {checks[0]: "cancelled", checks[-1]: "overridden"}
    assert_counts_match_a_rebuild(url)


def test_a_build_stopped_half_way_leaves_an_invalid_index_that_the_next_start_replaces(upgraded_store):
    url, _, _ = upgraded_store
    failures, (_, index) = cancel_build_half_way(url, ensure_review_tables, waiting_build)
    assert [type(f) for f in failures] == [psycopg.errors.QueryCanceled]
    with psycopg.connect(url, autocommit=True) as conn:
        leftover = conn.execute("SELECT indexrelid, indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)",
                                [index]).fetchone()
        assert leftover[1] is False, "left half-built"
        assert not review_tables_ready(conn)

        assert ensure_review_tables(conn) == []
        rebuilt = conn.execute("SELECT indexrelid, indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)",
                               [index]).fetchone()
        assert review_tables_ready(conn) and search_indexes_ready(conn)
    assert rebuilt[1] is True and rebuilt[0] != leftover[0], "dropped and built again, not kept as it was"
    assert_counts_match_a_rebuild(url)


class Stopped(Exception):
    """The instance filling the tables in went away between two batches."""


def test_a_backfill_stopped_between_batches_is_taken_up_by_the_next_start(upgraded_store, tmp_path):
    url, _, _ = upgraded_store
    done: list[int] = []

    def stop_after_two():
        done.append(1)
        if len(done) == 2:
            raise Stopped

    with psycopg.connect(url, autocommit=True) as conn:
        with pytest.raises(Stopped):
            ensure_review_tables(conn, batch_events=7, between_batches=stop_after_two)
        assert conn.execute(f"SELECT next_id FROM {BACKFILL}").fetchone() == (15,), "two batches of seven counted"
        assert not review_tables_ready(conn), "the page does not read half-filled tables"
    other = AuditStore.open(tmp_path / "laptop-now")
    try:
        record_sample_events(other, 12)
        forward_all(other, url)  # counted by the trigger meanwhile
    finally:
        other.close()
    with psycopg.connect(url, autocommit=True) as conn:
        assert ensure_review_tables(conn, batch_events=7) == []
        assert review_tables_ready(conn)
    assert_counts_match_a_rebuild(url)


def test_the_review_page_reads_the_tables_within_seconds_of_their_build(upgraded_store):
    """A page opened before the build keeps asking: once the tables are there it reads them at its
    next look, seconds later, not after the minute it keeps a ready store's answer."""
    url, _, _ = upgraded_store
    reader = PostgresAuditReader.open(url)
    try:
        assert reader.review_tables() == ReviewTables(), "nothing built yet: the events are read directly"
        with psycopg.connect(url, autocommit=True) as conn:
            assert ensure_review_tables(conn) == []
        assert wait_until(lambda: reader.review_tables() == ReviewTables(counts=True, search=True), 30,
                          "the page to read the new tables")
    finally:
        reader.close()


def test_a_laptop_writing_straight_into_an_older_store_delivers_at_once_and_leaves_the_build(upgraded_store,
                                                                                            tmp_path, caplog):
    """A laptop's first batch does not wait minutes for the review tables of a store that holds
    events already: it is delivered, and the log says what builds them."""
    url, _, _ = upgraded_store
    other = AuditStore.open(tmp_path / "laptop-now")
    try:
        sent = record_sample_events(other, 6)
        with caplog.at_level(logging.WARNING, logger="postguard.audit"):
            forward_all(other, url)
    finally:
        other.close()
    assert {e["event_id"] for e in sent} <= stored_event_ids(url)
    with psycopg.connect(url, autocommit=True) as conn:
        assert not review_tables_ready(conn)
        assert not any(conn.execute("SELECT to_regclass(%s) IS NOT NULL", [name]).fetchone()[0] for name in INDEXES), \
            "no index build was started by the laptop"
    assert "has no review tables yet" in caplog.text and "postguard audit init-db" in caplog.text
