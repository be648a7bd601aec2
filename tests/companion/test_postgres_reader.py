"""The central store's reader, against a real PostgreSQL: the review page over every laptop.

Two laptops' logs (a synthetic year each, see test_review_scale.py) are forwarded by the
real sink. Every filter, count, page and daily count must agree with what the SQLite
readers of the two laptops say together. `verify` has to name the laptop and the event
someone edited or deleted in PostgreSQL. And `postguard audit serve --db` has to serve
the page over it all.
"""

from __future__ import annotations

import collections
import csv
import io
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest
from test_review_scale import write_synthetic_log

from companion.audit import AuditStore
from companion.audit.pg_reader import PostgresAuditReader
from companion.audit.query import EventFilter
from companion.audit.sinks import Backoff, start_forwarding
from companion.audit.sqlite_reader import SqliteAuditReader
from companion.config import Settings
from companion.errors import PORT_TAKEN
from sink_servers import free_port, new_database, postgres, record_sample_events, wait_for_port  # noqa: F401

POSTGUARD = str(Path(sys.executable).parent / "postguard")
FAST = {"backoff": Backoff(0.05, 0.4), "poll_s": 0.5}
NOW = datetime.now(timezone.utc).replace(microsecond=0)


@dataclass
class Laptop:
    store: AuditStore
    reader: SqliteAuditReader
    laptop_id: str


def forward_all(store: AuditStore, url: str) -> str:
    """Forward everything in `store` to `url`; returns the laptop id."""
    forwarder = start_forwarding(Settings(data_dir=store.db_path.parent, central_db=url), store, **FAST)
    try:
        assert forwarder.wait_until_delivered(120)
        return forwarder.spool.laptop_id
    finally:
        forwarder.stop()


@pytest.fixture(scope="module")
def fleet(postgres, tmp_path_factory):
    """Two laptops with a synthetic year each, forwarded to one central database."""
    url = new_database(postgres)
    laptops = []
    for name, seed, end in (("a", 11, NOW), ("b", 12, NOW - timedelta(minutes=37))):
        data_dir = tmp_path_factory.mktemp(name) / "data"
        write_synthetic_log(data_dir, 700, end=end, seed=seed)
        store = AuditStore.open(data_dir)
        laptops.append(Laptop(store, SqliteAuditReader(store), forward_all(store, url)))
    reader = PostgresAuditReader.open(url)
    yield reader, laptops
    reader.close()
    for laptop in laptops:
        laptop.reader.close()
        laptop.store.close()


def central_keys(events: list[dict]) -> list[tuple[str, int]]:
    return [(e["laptop_id"], e["laptop_seq"]) for e in events]


def laptop_keys(laptops: list[Laptop], read) -> list[tuple[str, int]]:
    return [(laptop.laptop_id, e["seq"]) for laptop in laptops for e in read(laptop.reader)]


FILTERS = [
    EventFilter(),
    EventFilter(category="pricing"),
    EventFilter(verdict="block"),
    EventFilter(action="overridden"),
    EventFilter(kind="decision"),
    EventFilter(platform="instagram"),
    EventFilter(user="li.wei"),
    EventFilter(host="AK-MBP"),
    EventFilter(since=NOW - timedelta(days=90), until=NOW - timedelta(days=30)),
    EventFilter(user="chen.jing", category="contact_pii", since=NOW - timedelta(days=200)),
    EventFilter(user="nobody"),
]


@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: ",".join(f"{k}" for k, v in vars(f).items() if v) or "all")
def test_filters_and_counts_agree_with_the_laptops_own_logs(fleet, flt):
    reader, laptops = fleet
    central = reader.query(flt, limit=5000)
    assert sorted(central_keys(central)) == sorted(laptop_keys(laptops, lambda r: r.query(flt, limit=5000)))
    assert [e["ts"] for e in central] == sorted((e["ts"] for e in central), reverse=True), "newest first"
    assert reader.count(flt) == sum(laptop.reader.count(flt) for laptop in laptops)


@pytest.mark.parametrize("flt", FILTERS[:4] + FILTERS[8:9], ids=lambda f: ",".join(k for k, v in vars(f).items() if v) or "all")
def test_daily_counts_add_up_the_laptops(fleet, flt):
    reader, laptops = fleet
    expected = collections.Counter()
    for laptop in laptops:
        for day in laptop.reader.daily_counts(flt):
            expected[(day.day, day.category)] += day.count
    central = reader.daily_counts(flt)
    assert {(d.day, d.category): d.count for d in central} == dict(expected)
    assert [(d.day, d.category) for d in central] == sorted((d.day, d.category) for d in central)


def test_keyset_pages_visit_every_event_once_newest_first(fleet):
    reader, _ = fleet
    flt = EventFilter(category="pricing")
    everything = reader.query(flt, limit=5000)
    pages, before = [], None
    while page := reader.query(flt, limit=37, before_seq=before):
        pages.extend(page)
        before = page[-1]["seq"]
    assert [e["seq"] for e in pages] == [e["seq"] for e in everything]
    assert len(pages) == reader.count(flt) > 37


def test_an_event_opens_by_its_central_number_with_its_laptop(fleet):
    reader, laptops = fleet
    decision = reader.query(EventFilter(kind="decision", action="overridden"), limit=1)[0]
    same = reader.event(decision["seq"])
    assert same == decision
    laptop = next(l for l in laptops if l.laptop_id == decision["laptop_id"])
    original = laptop.reader.event(decision["laptop_seq"])
    assert {k: v for k, v in same.items() if k not in ("seq", "laptop_seq", "laptop_id")} == \
        {k: v for k, v in original.items() if k != "seq"}
    assert reader.event(10**12) is None
    post = reader.scan_events(decision["scan_id"])
    assert [e["kind"] for e in post] == ["check", "decision"] and post[1]["seq"] == decision["seq"]


def test_every_laptop_chain_verifies(fleet):
    reader, laptops = fleet
    report = reader.verify()
    assert report.ok and report.checked == 1400
    assert report.reason == "2 laptops, 1400 events verified"
    per_laptop = reader.verify_laptops(full=True)
    assert sorted(r.laptop_id for r in per_laptop) == sorted(l.laptop_id for l in laptops)
    assert all(r.report.ok and r.report.checked == 700 for r in per_laptop)


# --- tampering in the central store ------------------------------------------------------------

@pytest.fixture
def small_fleet(postgres, tmp_path):
    """Two laptops, LAPTOP-A (alice) and LAPTOP-B (bob), 12 real events each, forwarded."""
    url = new_database(postgres)
    laptops = {}
    for host, user in (("LAPTOP-A", "alice"), ("LAPTOP-B", "bob")):
        store = AuditStore.open(tmp_path / host)
        store._identity = {"os_user": user, "host": host}  # as recorded on that machine
        record_sample_events(store, 12)
        laptops[host] = (store, forward_all(store, url))
    yield url, laptops
    for store, _ in laptops.values():
        store.close()


def tamper(url: str, sql: str, params=()) -> None:
    """What a database admin could do: switch off the append-only trigger and change rows."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE postguard_events DISABLE TRIGGER postguard_events_append_only")
        conn.execute(sql, params)
        conn.execute("ALTER TABLE postguard_events ENABLE TRIGGER postguard_events_append_only")


# (change, the laptop seq verify names, what it says, the laptop seq the page's link opens)
TAMPERING = [
    ("UPDATE postguard_events SET canonical = replace(canonical, 'Client approved', 'Boss approved') "
     "WHERE laptop_id = %s AND seq = 8", 8, "event 8 does not match its hash", 8),
    ("UPDATE postguard_events SET verdict = 'allow' WHERE laptop_id = %s AND seq = 5", 5,
     "event 5's columns differ from what the laptop sent", 5),
    ("DELETE FROM postguard_events WHERE laptop_id = %s AND seq = 6", 6, "event 6 is missing", 7),
    ("DELETE FROM postguard_events WHERE laptop_id = %s AND seq = 12", 12, "event 12 is missing", 11),
]


@pytest.mark.parametrize("sql,broken,reason,opens", TAMPERING, ids=["edited", "column", "deleted", "newest-deleted"])
def test_verify_names_the_laptop_and_event_that_was_tampered_with(small_fleet, sql, broken, reason, opens):
    url, laptops = small_fleet
    _, bob = laptops["LAPTOP-B"]
    tamper(url, sql, (bob,))
    reader = PostgresAuditReader.open(url, full_verify_every_s=0)
    try:
        report = reader.verify()
        assert not report.ok
        assert report.reason.startswith(f"on laptop LAPTOP-B ({bob[:8]}), {reason}")
        opened = reader.event(report.first_broken)
        assert (opened["laptop_id"], opened["laptop_seq"]) == (bob, opens)
        states = {r.host: r.report for r in reader.verify_laptops(full=True)}
        assert states["LAPTOP-A"].ok and states["LAPTOP-B"].first_broken == broken
    finally:
        reader.close()


def test_new_events_are_verified_incrementally_and_old_edits_on_the_full_walk(small_fleet):
    url, laptops = small_fleet
    store, alice = laptops["LAPTOP-A"]
    reader = PostgresAuditReader.open(url)
    try:
        assert reader.verify().checked == 24
        record_sample_events(store, 3)
        forward_all(store, url)
        assert reader.verify().checked == 27, "the 3 new events were walked on top of the last result"

        tamper(url, "UPDATE postguard_events SET canonical = replace(canonical, '\"linkedin\"', "
                              "'\"facebook\"') WHERE laptop_id = %s AND seq = 1", (alice,))
        assert reader.verify().ok, "an old row is only re-hashed on the next full walk"
        full = {r.host: r.report for r in reader.verify_laptops(full=True)}
        assert full["LAPTOP-A"].first_broken == 1 and "does not match its hash" in full["LAPTOP-A"].reason
        assert not reader.verify().ok, "and stays broken after it"
    finally:
        reader.close()


# --- postguard audit serve --db ----------------------------------------------------------------

def start_audit_serve(url: str, review_dir: Path, log_path: Path) -> tuple[subprocess.Popen, int]:
    """`postguard audit serve` and its port, once its own output says it serves there (whatever else
    listens on a port is never taken for it). It binds only once it has read the store, and another
    program may take a port picked here meanwhile: then it says so and exits, and goes again on another."""
    for _ in range(3):
        port = free_port()
        with log_path.open("wb") as log:
            server = subprocess.Popen([POSTGUARD, "audit", "serve", "--db", url, "--port", str(port),
                                       "--data-dir", str(review_dir)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while server.poll() is None and time.monotonic() < deadline:
            if f"on http://127.0.0.1:{port}/audit " in log_path.read_text(errors="replace"):
                wait_for_port(port, 30)
                return server, port
            time.sleep(0.05)
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=30)
        if PORT_TAKEN not in log_path.read_text(errors="replace"):
            break
    raise AssertionError(f"audit serve did not start:\n{log_path.read_text(errors='replace')[-3000:]}")


def test_audit_serve_shows_every_laptop_on_the_review_page(small_fleet, tmp_path):
    import requests

    url, _ = small_fleet
    review_dir = tmp_path / "review"
    token = subprocess.run([POSTGUARD, "audit", "token", "--data-dir", str(review_dir)], capture_output=True,
                           text=True, timeout=60, check=True).stdout.strip()
    server, port = start_audit_serve(url, review_dir, tmp_path / "audit-serve.log")
    try:
        base = f"http://127.0.0.1:{port}"
        session = requests.Session()
        assert session.get(f"{base}/audit", timeout=30).status_code == 401
        login = session.post(f"{base}/audit/login", data={"token": token}, headers={"Origin": base},
                             allow_redirects=False, timeout=30)
        assert login.status_code == 303
        page = session.get(f"{base}/audit", timeout=30)
        assert page.status_code == 200
        assert "LAPTOP-A" in page.text and "LAPTOP-B" in page.text
        assert re.search(r'data-chain="ok"', page.text) and "24 events verified" in page.text
        assert 'data-total="24"' in page.text

        bob = session.get(f"{base}/audit", params={"user": "bob", "kind": "decision"}, timeout=30)
        assert 'data-total="3"' in bob.text and "LAPTOP-A" not in bob.text.split('id="pg-events"')[1]
        seq = re.search(r'data-seq="(\d+)"', bob.text).group(1)
        detail = session.get(f"{base}/audit/events/{seq}", timeout=30)
        assert detail.status_code == 200 and "Client approved" in detail.text

        export = session.get(f"{base}/audit/export.jsonl", params={"user": "alice"}, timeout=30)
        lines = [json.loads(line) for line in export.text.splitlines()]
        assert len(lines) == 12 and {e["os_user"] for e in lines} == {"alice"}
        assert all(e["laptop_id"] and e["laptop_seq"] for e in lines)  # whose chain each event is on
        csv_export = session.get(f"{base}/audit/export.csv", params={"user": "alice"}, timeout=30)
        rows = list(csv.DictReader(io.StringIO(csv_export.text)))
        assert list(rows[0])[-2:] == ["laptop_id", "laptop_seq"]
        assert [(r["laptop_id"], int(r["laptop_seq"])) for r in rows] == \
            [(e["laptop_id"], e["laptop_seq"]) for e in lines]
    finally:
        server.terminate()
        server.wait(timeout=30)
