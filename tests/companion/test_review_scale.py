"""A year of a sales team's audit events: the review page stays correct at 50,000 events.

`write_synthetic_log` fills a real store with a valid hash chain (checks over 365 days,
some followed by decisions), written in one transaction so building it takes seconds,
not the minutes 50,000 single `record_check` commits would. bench/bench_audit_review.py
uses it to time the page; this file checks that paging, filters and counts agree with
a plain walk over the same events (no timing is asserted here).
"""

from __future__ import annotations

import random
import sqlite3
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from companion.audit import AuditStore
from companion.audit.chain import GENESIS, event_hash
from companion.audit.events import EVENT_FIELDS, utc_timestamp
from companion.audit.query import EventFilter
from companion.audit.schema import DB_FILE_NAME, event_to_row
from companion.audit.sqlite_reader import SqliteAuditReader

USERS = [("li.wei", "LW-LAPTOP"), ("chen.jing", "CJ-LAPTOP"), ("anna.k", "AK-MBP"), ("tom.r", "TR-LAPTOP"),
         ("zhang.min", "ZM-LAPTOP"), ("maria.s", "MS-MBP"), ("wang.fang", "WF-LAPTOP"), ("omar.h", "OH-LAPTOP")]
PLATFORMS = ["linkedin", "facebook", "instagram", "other"]
RULES = {"contact_pii": "phone", "client_confidential": "client_list", "pricing": "unit_price",
         "unreleased_product": "product_codename", "credentials": "password", "sensitive_topic": "politics",
         "disparagement": "insult", "competitor": "competitor_name"}
EXCERPTS = {"contact_pii": "call me on +86 *** **** 4321", "client_confidential": "order for [client] shipped",
            "pricing": "only USD #.## per unit FOB", "unreleased_product": "sneak peek of [product]",
            "credentials": "wifi password **********", "sensitive_topic": "about the [topic] vote",
            "disparagement": "their support is [insult]", "competitor": "unlike [competitor], we"}
ACTIONS = ["posted", "edited", "cancelled", "overridden", "redacted"]


def _check(rng: random.Random, moment: datetime, user: tuple[str, str]) -> dict:
    """One check event: mostly clean posts, some with one to three categories found."""
    found = [] if rng.random() < 0.55 else rng.sample(list(RULES), rng.choice([1, 1, 1, 2, 3]))  # the content categories
    verdict = "allow" if not found else ("block" if "credentials" in found else "warn")
    platform = rng.choice(PLATFORMS)
    event = dict.fromkeys(EVENT_FIELDS)
    event.update(
        event_id=str(uuid.UUID(int=rng.getrandbits(128))), ts=utc_timestamp(moment), kind="check",
        os_user=user[0], host=user[1], platform=platform, scan_id=uuid.UUID(int=rng.getrandbits(128)).hex,
        url_host=f"www.{platform}.com" if platform != "other" else None, verdict=verdict, categories=found,
        rules=[RULES[c] for c in found],
        counts={c: 1 for c in found}, ocr_incomplete=False,
        excerpts=[{"category": c, "rule": RULES[c], "excerpt": EXCERPTS[c], "source": "text", "image_index": None}
                  for c in found],
        value_hashes=[{"category": c, "rule": RULES[c], "hash": f"h1:{rng.getrandbits(128):032x}"} for c in found],
        versions={"postguard": "0.1.0", "rules": "synthetic-1"},
    )
    # who the post went out as (issue 9): the company's page, the person's own account, or not
    # known; the keyed hash is the account's, so it repeats for each person and account
    acting = int(event["scan_id"][-1], 16) % 3
    if acting < 2:
        account = "company-page" if acting == 0 else user[0]
        event["details"] = {"acting_hash": f"h1:{account}", "acted_as_company": acting == 0}
    return event


def _decision(rng: random.Random, check: dict, moment: datetime) -> dict:
    """What the user did after a flagged check; overrides carry a justification."""
    action = rng.choice(ACTIONS)
    event = dict.fromkeys(EVENT_FIELDS)
    event.update(
        event_id=str(uuid.UUID(int=rng.getrandbits(128))), ts=utc_timestamp(moment), kind="decision",
        os_user=check["os_user"], host=check["host"], platform=check["platform"], scan_id=check["scan_id"],
        url_host=check["url_host"], verdict=check["verdict"], categories=check["categories"], action=action,
        justification="Customer already published this price list" if action == "overridden" else None,
    )
    return event


def synthetic_events(count: int, *, end: datetime, days: int = 365, seed: int = 7) -> list[dict]:
    """`count` events spread evenly over `days` up to `end`, unchained, oldest first."""
    rng = random.Random(seed)
    step = timedelta(days=days) / count
    moment = end - timedelta(days=days)
    events: list[dict] = []
    while len(events) < count:
        moment += step
        check = _check(rng, moment, rng.choice(USERS))
        events.append(check)
        if check["categories"] and len(events) < count:
            moment += step
            events.append(_decision(rng, check, moment))
    return events


def write_synthetic_log(data_dir: Path, count: int, *, end: datetime | None = None, seed: int = 7) -> list[dict]:
    """Create a store in `data_dir` holding `count` chained events; returns them, oldest first."""
    AuditStore.open(data_dir).close()
    return write_chained(data_dir, synthetic_events(count, end=end or datetime.now(timezone.utc), seed=seed))


def write_chained(data_dir: Path, events: list[dict]) -> list[dict]:
    """Chain `events` (oldest first) as the companion does and write them into the store in
    `data_dir` in one transaction; returns them."""
    prev = GENESIS
    for seq, event in enumerate(events, start=1):
        event.update(seq=seq, prev_hash=prev)
        event["hash"] = prev = event_hash(event, prev)
    conn = sqlite3.connect(data_dir / DB_FILE_NAME, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(f"INSERT INTO audit_events ({', '.join(EVENT_FIELDS)}) VALUES "
                         f"({', '.join('?' * len(EVENT_FIELDS))})", (event_to_row(e) for e in events))
        conn.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)", (len(events), prev))
        conn.execute("COMMIT")
    finally:
        conn.close()
    return events


@pytest.fixture(scope="module")
def year_of_events(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("year") / "data"
    events = write_synthetic_log(data_dir, 50_000)
    store = AuditStore.open(data_dir)
    reader = SqliteAuditReader(store)
    yield reader, events
    reader.close()
    store.close()


def test_a_year_of_events_verifies(year_of_events):
    reader, events = year_of_events
    report = reader.verify()
    assert report.ok and report.checked == 50_000 and report.head_seq == 50_000


def test_paging_a_filtered_view_visits_every_match_once_newest_first(year_of_events):
    reader, events = year_of_events
    flt = EventFilter(user="li.wei", category="pricing")
    expected = [e["seq"] for e in reversed(events) if e["os_user"] == "li.wei" and "pricing" in (e["categories"] or [])]
    seen, before = [], None
    while True:
        page = reader.query(flt, limit=50, before_seq=before)
        if not page:
            break
        seen += [e["seq"] for e in page]
        before = page[-1]["seq"]
    assert seen == expected and len(expected) > 100
    assert reader.count(flt) == len(expected)


def test_daily_counts_match_the_checks_of_each_day(year_of_events):
    reader, events = year_of_events
    last_day = datetime.fromisoformat(events[-1]["ts"][:10]).replace(tzinfo=timezone.utc)
    flt = EventFilter(since=last_day - timedelta(days=30), until=last_day)
    counts = {(c.day.isoformat(), c.category): c.count for c in reader.daily_counts(flt)}
    expected: dict = {}
    for e in events:
        if e["kind"] == "check" and flt.since.isoformat()[:10] <= e["ts"][:10] < last_day.isoformat()[:10]:
            for category in e["categories"]:
                expected[(e["ts"][:10], category)] = expected.get((e["ts"][:10], category), 0) + 1
    assert counts == expected and len({day for day, _ in counts}) == 30


def test_a_years_posts_merge_every_decision_and_people_add_up(year_of_events):
    from companion.review.people import Period, people
    from companion.review.posts import PostFilter, count_posts, find_posts
    from companion.review.sql import SQLITE

    reader, events = year_of_events
    last = {e["scan_id"]: e["action"] for e in events if e["kind"] == "decision"}
    overridden = {s for s, a in last.items() if a == "overridden"}
    flt = PostFilter(outcome="overridden", person="li.wei")
    mine = {e["scan_id"] for e in events if e["kind"] == "check" and e["os_user"] == "li.wei"} & overridden
    seen, offset = [], 0
    while page := find_posts(reader, SQLITE, flt, limit=200, offset=offset):
        seen += [p.check["scan_id"] for p in page]
        offset += 200
    assert sorted(seen) == sorted(mine) and len(mine) > 100 and count_posts(reader, SQLITE, flt) == len(mine)
    year = Period(datetime.now(timezone.utc) - timedelta(days=400), datetime.now(timezone.utc) + timedelta(days=1))
    records = people(reader, SQLITE, year)
    assert sum(r.checks for r in records) == sum(e["kind"] == "check" for e in events)
    assert sum(r.overrides for r in records) == sum(e["action"] == "overridden" for e in events if e["kind"] == "decision")
