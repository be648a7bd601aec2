"""The central store sink against a real PostgreSQL (Debian package postgresql) on loopback.

Every event arrives with its laptop's identity. A batch sent again, after an outage, a
lost answer or a reset cursor, never makes a second row. A database that cannot be
reached or used gets an error naming host and port and never the password, and nothing
changes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import pytest

from companion.audit import AuditStore, export_events
from companion.audit.pg_reader import PostgresAuditReader
from companion.audit.query import EventFilter
from companion.audit.sinks import Backoff, start_forwarding
from companion.audit.sinks.postgres import PostgresSink
from companion.config import Settings
from companion.errors import ConfigError
from sink_servers import free_port, new_database, postgres, record_sample_events, wait_for  # noqa: F401 (fixture)

POSTGUARD = str(Path(sys.executable).parent / "postguard")
FAST = {"backoff": Backoff(0.05, 0.4), "poll_s": 0.5}


@pytest.fixture
def db_url(postgres):
    return new_database(postgres)


@pytest.fixture
def store(tmp_path):
    store = AuditStore.open(tmp_path / "data")
    yield store
    store.close()


def forward(store, url: str):
    return start_forwarding(Settings(data_dir=store.db_path.parent, central_db=url), store, **FAST)


def rows(url: str, sql: str, params=()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params or None).fetchall()


def central_count(url: str) -> int:
    """Events in the central store; 0 before the first laptop created the tables."""
    if rows(url, "SELECT to_regclass('postguard_events')") == [(None,)]:
        return 0
    return rows(url, "SELECT count(*) FROM postguard_events")[0][0]


def as_jsonl(event: dict) -> str:
    import io

    out = io.StringIO()
    export_events([event], "jsonl", out)
    return out.getvalue().rstrip("\n")


def test_events_reach_the_central_store_with_the_laptop_identity(store, db_url):
    events = record_sample_events(store, 10)
    forwarder = forward(store, db_url)
    try:
        assert forwarder.wait_until_delivered(30)
        laptop = forwarder.spool.laptop_id
    finally:
        forwarder.stop()

    stored = rows(db_url, "SELECT laptop_id, seq, event_id, kind, verdict, action, categories, justification, "
                          "canonical FROM postguard_events ORDER BY seq")
    assert [(r[0], r[1], r[2]) for r in stored] == [(laptop, e["seq"], e["event_id"]) for e in events]
    for row, event in zip(stored, events):
        assert row[3:8] == (event["kind"], event["verdict"], event["action"], event["categories"],
                            event["justification"])
        assert row[8] == as_jsonl(event), "the exact JSON the laptop hashed"
    head = rows(db_url, "SELECT laptop_id, host, os_user, first_seq, head_seq, head_hash FROM postguard_laptops")
    assert head == [(laptop, events[-1]["host"], events[-1]["os_user"], 1, events[-1]["seq"], events[-1]["hash"])]


def test_a_batch_sent_again_never_makes_a_second_row(store, db_url):
    events = record_sample_events(store, 8)
    sink = PostgresSink(db_url)
    try:
        sink.deliver(events, "laptop-a")
        sink.deliver(events[:5], "laptop-a")  # the answer to a commit was lost: the batch comes again
        sink.deliver(events, "laptop-a")
    finally:
        sink.close()
    assert rows(db_url, "SELECT count(*) FROM postguard_events") == [(8,)]
    assert rows(db_url, "SELECT head_seq, head_hash FROM postguard_laptops") == [(8, events[-1]["hash"])], \
        "an old batch sent again does not move the head back"


def test_a_forwarder_that_lost_its_cursor_resends_without_duplicates(store, db_url):
    record_sample_events(store, 6)
    forwarder = forward(store, db_url)
    assert forwarder.wait_until_delivered(30)
    forwarder.stop()
    spool = store.db_path.parent / "forward.sqlite3"
    import sqlite3

    with sqlite3.connect(spool) as conn:
        conn.execute("DELETE FROM forward_cursor")  # as if the last confirmation never got to disk
    record_sample_events(store, 2)
    forwarder = forward(store, db_url)
    try:
        assert forwarder.wait_until_delivered(30)
    finally:
        forwarder.stop()
    assert rows(db_url, "SELECT count(*), count(DISTINCT event_id), max(seq) FROM postguard_events") == [(8, 8, 8)]


def test_events_wait_while_the_database_is_down_and_arrive_once(store, db_url, postgres):
    dbname = db_url.rsplit("/", 1)[1]
    admin = postgres.url()
    record_sample_events(store, 3)
    forwarder = forward(store, db_url)
    try:
        assert forwarder.wait_until_delivered(30)
        with psycopg.connect(admin, autocommit=True) as conn:  # the database goes away
            conn.execute(f'ALTER DATABASE "{dbname}" ALLOW_CONNECTIONS false')
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (dbname,))
        later = record_sample_events(store, 5)
        forwarder.notify()
        wait_for(lambda: forwarder.status()[0].failures >= 2)
        status = forwarder.status()[0]
        assert status.backlog == 5 and f"127.0.0.1:{postgres.port}" in status.last_error
        assert postgres.PASSWORD not in status.last_error

        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{dbname}" ALLOW_CONNECTIONS true')
        assert forwarder.wait_until_delivered(30)
    finally:
        forwarder.stop()
    assert rows(db_url, "SELECT count(*), max(seq) FROM postguard_events") == [(8, later[-1]["seq"])]


def test_a_nul_in_a_justification_does_not_block_the_spool(store, db_url):
    check = record_sample_events(store, 1)[0]
    decision = store.record_decision(scan_id=check["scan_id"], action="overridden",
                                     justification="approved\x00 by manager", platform="linkedin")
    after = record_sample_events(store, 1)[0]
    forwarder = forward(store, db_url)
    try:
        assert forwarder.wait_until_delivered(30)
    finally:
        forwarder.stop()
    stored = rows(db_url, "SELECT justification, canonical FROM postguard_events WHERE event_id = %s",
                  (decision["event_id"],))
    assert stored[0][0] == "approved by manager"
    assert json.loads(stored[0][1])["justification"] == "approved\x00 by manager"
    assert rows(db_url, "SELECT max(seq) FROM postguard_events") == [(after["seq"],)]
    reader = PostgresAuditReader.open(db_url)
    try:
        assert reader.verify().ok
    finally:
        reader.close()


def test_two_laptops_forwarding_at_once_keep_separate_chains(tmp_path, db_url):
    stores = [AuditStore.open(tmp_path / name) for name in ("a", "b")]
    forwarders = [forward(s, db_url) for s in stores]
    try:
        writers = [threading.Thread(target=record_sample_events, args=(s, 40)) for s in stores]
        for w in writers:
            w.start()
        for w in writers:
            w.join()
        assert all(f.wait_until_delivered(60) for f in forwarders)
        laptops = {f.spool.laptop_id for f in forwarders}
    finally:
        for f in forwarders:
            f.stop()
        for s in stores:
            s.close()
    counts = dict(rows(db_url, "SELECT laptop_id, count(*) FROM postguard_events GROUP BY laptop_id"))
    assert counts == {laptop: 40 for laptop in laptops}
    reader = PostgresAuditReader.open(db_url)
    try:
        reports = reader.verify_laptops(full=True)
        assert {r.laptop_id for r in reports} == laptops and all(r.report.ok for r in reports)
    finally:
        reader.close()


# --- bad input ---------------------------------------------------------------------------------

def serve(url: str, tmp_path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PGCONNECT_TIMEOUT": "5"}
    return subprocess.run([POSTGUARD, "audit", "serve", "--db", url, "--port", str(free_port()),
                           "--data-dir", str(tmp_path / "review")], capture_output=True, text=True, timeout=60,
                          env=env)


def test_serve_names_host_and_port_of_a_database_nobody_listens_on(tmp_path, postgres):
    port = free_port()
    result = serve(f"postgresql://postgres:{postgres.PASSWORD}@127.0.0.1:{port}/audit", tmp_path)
    assert result.returncode == 3
    assert result.stderr.startswith(f"postguard: cannot connect to the central audit store "
                                    f"postgresql://postgres@127.0.0.1:{port}/audit: ")
    assert "Connection refused" in result.stderr
    assert postgres.PASSWORD not in result.stderr + result.stdout


def test_serve_with_a_wrong_password_never_shows_it(tmp_path, postgres, db_url):
    wrong = "Wr0ng-pa%24%24word"  # percent-encoded "$$"
    result = serve(db_url.replace(postgres.PASSWORD, wrong), tmp_path)
    assert result.returncode == 3
    assert f"127.0.0.1:{postgres.port}" in result.stderr and "password authentication failed" in result.stderr
    for form in (wrong, "Wr0ng-pa$$word", postgres.PASSWORD):
        assert form not in result.stderr + result.stdout


def test_serve_refuses_a_database_without_audit_tables_and_creates_none(tmp_path, db_url):
    result = serve(db_url, tmp_path)
    assert result.returncode == 2
    assert "holds no Postguard audit tables" in result.stderr
    assert rows(db_url, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'postguard%'") == [(0,)]


@pytest.mark.parametrize("url", ["postgresql://postguard:S3cret-pw@db.example.com:54x2/audit",
                                 "mysql://postguard:S3cret-pw@db.example.com/audit",
                                 "postgresql://postguard:S3cret-pw@/audit"])
def test_a_malformed_central_db_url_is_refused_at_start_without_the_password(url):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(central_db=url)
    assert caught.value.message.startswith("setting central_db: ")
    assert "S3cret-pw" not in caught.value.message
    assert "S3cret-pw" not in repr(Settings(central_db="postgresql://u:S3cret-pw@db:5432/a"))


def test_the_companion_keeps_recording_while_the_database_refuses_it(store, postgres, db_url):
    events = record_sample_events(store, 3)
    forwarder = forward(store, db_url.replace(postgres.PASSWORD, "not-the-password"))
    try:
        wait_for(lambda: forwarder.status()[0].failures >= 1)
        status = forwarder.status()[0]
        assert status.backlog == 3 and "password authentication failed" in status.last_error
        assert "not-the-password" not in status.last_error
        assert [e["seq"] for e in store.events()] == [e["seq"] for e in events], "the local log is untouched"
    finally:
        forwarder.stop()
    assert rows(db_url, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'postguard%'") == [(0,)]


def documented_grants() -> str:
    """The role and GRANT statements from docs/audit.md, run here as the docs say."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "audit.md").read_text(encoding="utf-8")
    section = docs[docs.index("## Forwarding and the central store"):]
    return next(block for block in section.split("```sql\n")[1:] if "GRANT" in block).split("```")[0]


def test_laptops_and_reviewers_work_with_the_documented_rights_only(tmp_path, postgres, db_url, store):
    created = subprocess.run([POSTGUARD, "audit", "init-db", "--db", db_url], capture_output=True, text=True,
                             timeout=60)
    assert created.returncode == 0 and created.stdout.startswith("tables created in postgresql://postgres@")
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS postguard_laptop")  # the cluster is shared by this session's tests
        conn.execute("DROP ROLE IF EXISTS postguard_review")
        conn.execute(documented_grants())
    base = db_url.split("@", 1)[1]
    laptop_url = f"postgresql://postguard_laptop:change-me-laptops@{base}"
    review_url = f"postgresql://postguard_review:change-me-review@{base}"

    events = record_sample_events(store, 5)
    forwarder = forward(store, laptop_url)
    try:
        assert forwarder.wait_until_delivered(30)
    finally:
        forwarder.stop()
    with psycopg.connect(laptop_url, autocommit=True) as conn:
        for sql in ("SELECT canonical FROM postguard_events", "DELETE FROM postguard_events",
                    "UPDATE postguard_events SET verdict = 'allow'"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)

    reader = PostgresAuditReader.open(review_url)
    try:
        assert reader.verify().ok and reader.count(EventFilter()) == len(events)
    finally:
        reader.close()
    with psycopg.connect(review_url, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM postguard_laptops")
    again = subprocess.run([POSTGUARD, "audit", "init-db", "--db", db_url], capture_output=True, text=True, timeout=60)
    assert again.stdout.startswith("tables already there")


def test_postguard_serve_forwards_real_checks_to_the_siem_and_the_central_store(tmp_path, postgres, db_url):
    from sink_servers import Rsyslog, sd_params
    from test_server import clean_env, running_server

    rsyslog = Rsyslog(tmp_path / "rsyslog").start()
    env = clean_env(POSTGUARD_CENTRAL_DB=db_url, POSTGUARD_SYSLOG_TARGET=f"tcp://127.0.0.1:{rsyslog.port}")
    try:
        with running_server(tmp_path, env=env) as server:
            status, _, check = server.post("/v1/check", {"text": "Our FOB price is USD 4.20 per unit",
                                                         "platform": "linkedin"})
            assert status == 200 and check["verdict"] != "allow"
            status, _, decision = server.post("/v1/decision", {"scan_id": check["scan_id"], "action": "overridden",
                                                               "justification": "price list is public"})
            assert status == 200
            wait_for(lambda: len(rsyslog.records()) == 2 and central_count(db_url) == 2)
            log = server.log()
    finally:
        rsyslog.stop()
    assert [sd_params(r)["kind"] for r in rsyslog.records()] == ["check", "decision"]
    assert rows(db_url, "SELECT kind, scan_id, action FROM postguard_events ORDER BY seq") == [
        ("check", check["scan_id"], None), ("decision", check["scan_id"], "overridden")]
    assert f"forwarding audit events to syslog tcp://127.0.0.1:{rsyslog.port}" in log
    assert f"forwarding audit events to PostgreSQL postgresql://postgres@127.0.0.1:{postgres.port}/" in log
    assert postgres.PASSWORD not in log and "USD 4.20" not in log
