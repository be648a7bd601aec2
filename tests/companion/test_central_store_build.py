"""`postguard central serve` on a store that lacks the review page's tables and indexes (an older
store, laptops that wrote straight into it) listens at once and builds them in the background
(companion/central/store_build.py): laptops' events are taken, /health says how far the build is,
and the review page answers with every post, reading the events, under a notice. Several instances
build once; a builder killed half-way leaves an INVALID index that the next builder replaces.

The builds are made to wait where a real one spends its minutes: the test holds a writer's lock on
the events table (ROW EXCLUSIVE, as an ingest transaction does), so a concurrent build stays in its
"waiting for writers" phase until the test lets go. Real PostgreSQL, real `postguard central serve`
processes, events sent by a real companion's forwarder."""

from __future__ import annotations

import json
import signal

import psycopg
import pytest
import requests
from test_central_short_search_index import FAST, WriterLock
from test_review_tables_build import INDEXES, assert_counts_match_a_rebuild, upgraded_store  # noqa: F401 (fixture)

from central_servers import Central, postguard, wait_until
from companion.audit import AuditStore
from companion.audit.sinks import start_forwarding
from companion.central import short_search
from companion.central.store_build import read_progress
from companion.config import Settings
from sink_servers import postgres, record_sample_events  # noqa: F401 (fixture)

ALL_INDEXES = [*INDEXES, short_search.INDEX]
NOTICE_EN = "The review tables are being built ("
NOTICE_ZH = "审阅表正在建立（"


def health(central: Central) -> dict:
    response = requests.get(f"{central.url}/health", timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    return response.json()


def build_state(central: Central) -> dict:
    return health(central)["review_tables"]


def building(central: Central, builder: str):
    """The instance's /health while `builder` builds (None before)."""
    state = build_state(central)
    return state if state["state"] == "building" and state["builder"] == builder else None


def waiting_builds(url: str) -> list[tuple[int, str, str]]:
    """(pid, index, application) of every concurrent build of the store's indexes that waits for writers."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(
            "SELECT p.pid, p.index_relid::regclass::text, a.application_name FROM pg_stat_progress_create_index p "
            "JOIN pg_stat_activity a USING (pid) WHERE p.index_relid::regclass::text = ANY(%s) "
            "AND p.phase LIKE 'waiting for writers%%'", [ALL_INDEXES]).fetchall()


def index_oids(url: str) -> dict[str, tuple[int, bool]]:
    """Every index the build makes: name -> (oid, valid)."""
    with psycopg.connect(url, autocommit=True) as conn:
        return {name: (oid, valid) for name, oid, valid in conn.execute(
            "SELECT c.relname, c.oid, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = ANY(%s)", [ALL_INDEXES])}


def posts_exported(session: requests.Session, central: Central) -> set[str]:
    export = session.get(f"{central.url}/audit/posts/export.jsonl?clean=1", timeout=120)
    assert export.status_code == 200
    return {json.loads(line)["post"] for line in export.text.splitlines()}


@pytest.fixture
def keys(tmp_path):
    key_dir = tmp_path / "keys"
    postguard("central", "keygen", "--key-dir", str(key_dir))
    return key_dir


def test_serve_listens_at_once_and_the_review_page_answers_while_the_store_is_built(upgraded_store, keys, tmp_path):
    url, _, checks = upgraded_store
    writer = WriterLock(url)
    central = Central(url, keys, tmp_path / "central.log")
    try:
        central.start()  # listening (Central.start waits for the port) with the build held by the writer
        state = wait_until(lambda: building(central, "this instance"), 60, "the build to start")
        assert 0 <= state["percent"] < 100 and "older events counted" in state["missing"]
        assert wait_until(lambda: waiting_builds(url), 60, "a concurrent index build")

        laptop = AuditStore.open(tmp_path / "laptop-now")
        sent = record_sample_events(laptop, 9)
        forwarder = start_forwarding(Settings(data_dir=laptop.db_path.parent, central_url=central.url,
                                              central_enroll_code=central.enroll_code()), laptop, **FAST)
        try:
            assert forwarder.wait_until_delivered(60), "events are taken while the store is built"
        finally:
            forwarder.stop()
            laptop.close()

        central.account("rita")
        session = central.session("rita")
        page = session.get(f"{central.url}/audit/posts", timeout=120)
        assert page.status_code == 200 and NOTICE_EN in page.text and 'id="pg-store-build"' in page.text
        chinese = session.get(f"{central.url}/audit/people", headers={"Accept-Language": "zh-CN"}, timeout=120)
        assert chinese.status_code == 200 and NOTICE_ZH in chinese.text
        queue = session.get(f"{central.url}/approvals", timeout=60)
        assert "The review tables are being built (" in queue.text, "the service's own pages say so too"
        during = posts_exported(session, central)
        assert set(checks) <= during, "every post is there while the tables are built"
        assert {e["scan_id"] for e in sent if e["kind"] == "check"} <= during
        assert waiting_builds(url), "the build was still waiting all along"
    finally:
        writer.release()
    try:
        wait_until(lambda: build_state(central)["state"] == "ready", 180, "the build to finish")
        assert build_state(central) == {"state": "ready", "percent": 100, "builder": None, "missing": [],
                                        "problem": None}
        assert "ready (built here" in central.log()
        assert all(valid for _, valid in index_oids(url).values()) and len(index_oids(url)) == len(ALL_INDEXES)
        page = session.get(f"{central.url}/audit/posts", timeout=60)
        assert NOTICE_EN not in page.text
        assert posts_exported(session, central) == during
        assert_counts_match_a_rebuild(url)
    finally:
        central.stop()


def test_two_instances_build_once(upgraded_store, keys, tmp_path):
    url, _, _ = upgraded_store
    writer = WriterLock(url)
    first = Central(url, keys, tmp_path / "first.log")
    second = Central(url, keys, tmp_path / "second.log")
    try:
        first.start()
        second.start()
        builder, other = wait_until(
            lambda: next(((a, b) for a, b in ((first, second), (second, first))
                          if building(a, "this instance") and building(b, "another instance")), None),
            60, "one instance to build while the other waits")
        builds = wait_until(lambda: waiting_builds(url), 60, "a concurrent index build")
        assert len(builds) == 1, "one build at a time"
        writer.release()
        for central in (first, second):
            wait_until(lambda c=central: build_state(c)["state"] == "ready", 180, "both to see the store ready")
        built = index_oids(url)
        assert all(valid for _, valid in built.values()) and len(built) == len(ALL_INDEXES)
        assert "ready (built here" in builder.log()
        assert "building what the review page lacks" not in other.log(), "the other instance built nothing"
        assert index_oids(url) == built
    finally:
        writer.release()
        first.stop()
        second.stop()


def test_a_builder_killed_half_way_is_taken_over_and_nothing_is_left_invalid(upgraded_store, keys, tmp_path):
    url, _, _ = upgraded_store
    writer = WriterLock(url)
    first = Central(url, keys, tmp_path / "first.log")
    second = Central(url, keys, tmp_path / "second.log")
    try:
        first.start()
        wait_until(lambda: building(first, "this instance"), 60, "the first instance to build")
        (pid, index, _), = wait_until(lambda: waiting_builds(url), 60, "its concurrent index build")
        second.start()
        wait_until(lambda: building(second, "another instance"), 60, "the second to wait for the first")

        first.stop(signal.SIGKILL)  # the instance is killed in the middle of a concurrent build

        def gone() -> bool:
            with psycopg.connect(url, autocommit=True) as conn:
                return not conn.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()

        wait_until(gone, 60, "PostgreSQL to end the build of the killed instance")
        left = index_oids(url)[index]
        assert left[1] is False, "the killed build left its index half-built"
        wait_until(lambda: building(second, "this instance"), 60, "the second instance to take the build over")
        assert all(p != pid for p, _, _ in waiting_builds(url))
        writer.release()
        wait_until(lambda: build_state(second)["state"] == "ready", 180, "the second instance to finish")
        rebuilt = index_oids(url)
        assert all(valid for _, valid in rebuilt.values()) and len(rebuilt) == len(ALL_INDEXES), \
            "no index is left invalid"
        assert rebuilt[index][0] != left[0], "the half-built index was dropped and built again"
        assert "ready (built here" in second.log()
        assert_counts_match_a_rebuild(url)
    finally:
        writer.release()
        first.stop()
        second.stop()


def test_a_build_that_cannot_finish_says_why_and_the_service_goes_on(upgraded_store, keys, tmp_path):
    url, _, checks = upgraded_store
    with psycopg.connect(url, autocommit=True) as conn:  # a name the build needs, taken by something else
        conn.execute("CREATE TABLE postguard_events_decisions (note TEXT)")
    central = Central(url, keys, tmp_path / "central.log")
    try:
        central.start()
        state = wait_until(lambda: (s := build_state(central))["state"] == "failed" and s, 120, "the build to fail")
        assert state["missing"] == ["postguard_events_decisions"] and "SQLSTATE 42P07" in state["problem"], \
            "everything else is built: the other indexes, the counts of the older events, the short-search index"
        assert "were not all built" in central.log()
        central.account("rita")
        session = central.session("rita")
        page = session.get(f"{central.url}/audit/posts", headers={"Accept-Language": "zh-CN"}, timeout=120)
        assert page.status_code == 200 and "审阅表未能建立" in page.text
        assert set(checks) <= posts_exported(session, central), "every post is there all the same"
    finally:
        central.stop()


def test_init_db_builds_every_part_it_can_and_names_the_one_it_could_not(upgraded_store):
    url, _, _ = upgraded_store
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE postguard_events_decisions (note TEXT)")
    done = postguard("central", "init-db", "--db", url, check=False)
    assert done.returncode == 1 and "tables ready" not in done.stdout
    assert "index postguard_events_decisions was not built" in done.stderr and "SQLSTATE 42P07" in done.stderr
    with psycopg.connect(url, autocommit=True) as conn:
        assert read_progress(conn).missing == ("postguard_events_decisions",), "every other part is built"
