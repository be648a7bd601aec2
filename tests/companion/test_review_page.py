"""The review page at /audit through Flask's test client: filters, paging, chart, detail, export.

Two kinds of logs: a synthetic one (1,200 chained events over a year, written straight to
SQLite) where every expected answer is computed from the events themselves, and the real
companion's own log, filled by real checks through /v1/check, for what a reviewer reads
about one post. Sign-in, headers and origins are in test_review_access.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest
from test_review_scale import write_synthetic_log

from companion.audit import EVENT_FIELDS, AuditStore
from companion.audit.sqlite_reader import SqliteAuditReader
from companion.config import Settings
from companion.review import create_review_app
from companion.review.auth import admin_token

ORIGIN = "http://localhost"  # the test client's own origin (Host: localhost)


def sign_in(client, token: str):
    response = client.post("/audit/login", data={"token": token}, headers={"Origin": ORIGIN})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def shown_seqs(html: str) -> list[int]:
    """The seq of every row in the events table, top to bottom."""
    return [int(s) for s in re.findall(r'<tr data-pg-href="[^"]*" data-seq="(\d+)"', html)]


def older_link(html: str) -> str | None:
    found = re.search(r'id="pg-older" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


class SyntheticLog:
    """A store of known events, a review app reading it, and a signed-in client."""

    def __init__(self, data_dir, count: int):
        self.events = write_synthetic_log(data_dir, count)
        self.store = AuditStore.open(data_dir)
        self.reader = SqliteAuditReader(self.store)
        self.app = create_review_app(self.reader, Settings(data_dir=data_dir))
        self.client = self.app.test_client()
        self.token, _ = admin_token(data_dir)
        self.db = data_dir / "audit.sqlite3"
        sign_in(self.client, self.token)

    def newest_first(self, keep) -> list[int]:
        return [e["seq"] for e in reversed(self.events) if keep(e)]

    def close(self):
        self.reader.close()
        self.store.close()


@pytest.fixture
def log(tmp_path):
    synthetic = SyntheticLog(tmp_path / "data", 1200)
    yield synthetic
    synthetic.close()


def day_of(event) -> date:
    return date.fromisoformat(event["ts"][:10])


FILTERS = [
    ("platform=instagram", lambda e: e["platform"] == "instagram"),
    ("category=pricing", lambda e: "pricing" in (e["categories"] or [])),
    ("verdict=block", lambda e: e["verdict"] == "block"),
    ("kind=decision", lambda e: e["kind"] == "decision"),
    ("action=overridden", lambda e: e["action"] == "overridden"),
    ("user=li.wei", lambda e: e["os_user"] == "li.wei"),
    ("host=AK-MBP", lambda e: e["host"] == "AK-MBP"),
    ("user=li.wei&category=credentials&verdict=block",
     lambda e: e["os_user"] == "li.wei" and "credentials" in (e["categories"] or []) and e["verdict"] == "block"),
]


@pytest.mark.parametrize("query,keep", FILTERS, ids=[f[0] for f in FILTERS])
def test_each_filter_shows_exactly_the_matching_events_newest_first(log, query, keep):
    html = log.client.get(f"/audit?{query}").get_data(as_text=True)
    expected = log.newest_first(keep)
    assert 0 < len(expected) < len(log.events)
    assert shown_seqs(html) == expected[:50]
    assert re.search(rf'<span data-total="{len(expected)}">', html)


def test_a_date_range_covers_whole_utc_days_from_first_to_last(log):
    first, last = day_of(log.events[300]), day_of(log.events[500])
    html = log.client.get(f"/audit?from={first}&to={last}&kind=check").get_data(as_text=True)
    expected = log.newest_first(lambda e: first <= day_of(e) <= last and e["kind"] == "check")
    assert shown_seqs(html) == expected[:50]
    assert re.search(rf'<span data-total="{len(expected)}">', html)


def test_older_links_walk_a_filtered_view_once_and_newest_returns_to_the_top(log):
    expected = log.newest_first(lambda e: e["kind"] == "check")
    seen, url, pages = [], "/audit?kind=check", 0
    while url:
        html = log.client.get(url).get_data(as_text=True)
        seen += shown_seqs(html)
        pages += 1
        if pages > 1:
            assert 'href="/audit?kind=check">« Newest</a>' in html
        url = older_link(html)
        assert url is None or "kind=check" in url
    assert seen == expected and pages == -(-len(expected) // 50)


@pytest.mark.parametrize("query,message", [
    ("from=yesterday", "From: use a date such as 2026-03-01"),
    ("to=2026-02-30", "To: use a date such as 2026-03-01"),
    ("from=2026-03-10&to=2026-03-01", "To: the end date is before the start date"),
    ("platform=myspace", "Platform: not one of linkedin, facebook, instagram, other"),
    ("category=gossip", "Category: not one of contact_pii"),
    ("action=deleted", "Decision: not one of posted, edited, cancelled, overridden, redacted"),
    ("before=12abc", "Page: the paging link is damaged"),
])
def test_a_bad_filter_is_a_400_naming_the_field_and_shows_no_events(log, query, message):
    response = log.client.get(f"/audit?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "These filters cannot be applied" in html and message in html
    assert shown_seqs(html) == [] and 'id="pg-events"' not in html


def test_the_chart_counts_checks_per_day_and_category_over_the_chosen_days(log):
    last = day_of(log.events[-1])
    first = last - timedelta(days=13)
    html = log.client.get(f"/audit?from={first}&to={last}&platform=linkedin").get_data(as_text=True)
    bars = dict(re.findall(r'<g class="pg-bar" data-day="([\d-]+)" data-total="(\d+)">', html))
    expected = {(first + timedelta(days=i)).isoformat(): 0 for i in range(14)}
    for e in log.events:
        if e["kind"] == "check" and e["platform"] == "linkedin" and first <= day_of(e) <= last:
            expected[e["ts"][:10]] += len(e["categories"])
    assert {day: int(total) for day, total in bars.items()} == expected
    assert sum(expected.values()) > 0
    for category in {c for e in log.events if e["kind"] == "check" and e["platform"] == "linkedin"
                     and first <= day_of(e) <= last for c in e["categories"]}:
        assert f'class="pg-swatch pg-cat-{category}"' in html


def test_without_dates_the_chart_shows_the_last_30_days(log):
    before = datetime.now(timezone.utc).date()
    html = log.client.get("/audit").get_data(as_text=True)
    after = datetime.now(timezone.utc).date()  # the request may straddle midnight UTC
    days = re.findall(r'<g class="pg-bar" data-day="([\d-]+)"', html)
    assert len(days) == 30
    assert any(days[0] == (today - timedelta(days=29)).isoformat() and days[-1] == today.isoformat()
               for today in {before, after})


def read_export(response, fmt: str) -> list[dict]:
    text = response.get_data(as_text=True)
    if fmt == "jsonl":
        return [json.loads(line) for line in text.splitlines()]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == ",".join(EVENT_FIELDS) and text.count("seq,event_id") == 1
    return rows


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_downloads_every_page_of_the_filtered_view(log, fmt):
    response = log.client.get(f"/audit/export.{fmt}?kind=check&platform=linkedin")
    assert response.status_code == 200
    assert re.fullmatch(rf'attachment; filename="postguard-audit-\d{{8}}T\d{{6}}Z\.{fmt}"',
                        response.headers["Content-Disposition"])
    rows = read_export(response, fmt)
    expected = log.newest_first(lambda e: e["kind"] == "check" and e["platform"] == "linkedin")
    assert [int(r["seq"]) for r in rows] == expected and len(expected) > 50
    by_seq = {e["seq"]: e for e in log.events}
    assert all(r["hash"] == by_seq[int(r["seq"])]["hash"] for r in rows)


def test_export_of_an_empty_view_is_just_the_header(log):
    response = log.client.get("/audit/export.csv?user=nobody")
    assert response.get_data(as_text=True) == ",".join(EVENT_FIELDS) + "\n"


def test_export_with_a_bad_filter_is_refused_not_a_full_export(log):
    response = log.client.get("/audit/export.csv?platform=myspace")
    assert response.status_code == 400 and "Content-Disposition" not in response.headers


def tamper(db, sql: str) -> None:
    """What someone with the sqlite3 shell does: drop the guard trigger and edit."""
    conn = sqlite3.connect(db)
    conn.executescript(f"DROP TRIGGER IF EXISTS audit_events_no_update; {sql}")
    conn.close()


def test_the_chain_badge_turns_broken_and_names_the_first_edited_event(log):
    assert 'data-chain="ok"' in log.client.get("/audit").get_data(as_text=True)
    tamper(log.db, "UPDATE audit_events SET action = 'cancelled' WHERE seq = 700;")
    html = log.client.get("/audit").get_data(as_text=True)
    assert 'data-chain="broken"' in html and 'data-chain="ok"' not in html
    assert "Hash chain broken at event #700" in html
    assert "event 700 does not match its hash: it was edited" in html
    assert 'href="/audit/events/700"' in html
    detail = log.client.get("/audit/events/700").get_data(as_text=True)
    assert "The hash chain breaks here: event 700 does not match its hash" in detail


def test_a_deleted_event_is_named_and_its_detail_says_it_is_gone(log):
    conn = sqlite3.connect(log.db)
    conn.executescript("DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq = 42;")
    conn.close()
    html = log.client.get("/audit").get_data(as_text=True)
    assert "Hash chain broken at event #42" in html and "event 42 is missing (deleted)" in html
    response = log.client.get("/audit/events/42")
    assert response.status_code == 404
    assert "there is no event 42 in this log" in response.get_data(as_text=True)


def test_a_mangled_row_is_shown_with_its_unreadable_fields_named(log):
    seq = next(e["seq"] for e in log.events if e["kind"] == "check" and e["categories"])
    tamper(log.db, f"UPDATE audit_events SET excerpts = '{{not json', categories = '7' WHERE seq = {seq};")
    assert log.client.get("/audit").status_code == 200
    detail = log.client.get(f"/audit/events/{seq}").get_data(as_text=True)
    assert "not in the form Postguard writes (edited by hand?): categories, excerpts" in detail
    assert f"Hash chain broken at event #{seq}" in detail


def test_unknown_event_is_a_404_page(log):
    response = log.client.get("/audit/events/999999")
    assert response.status_code == 404 and "there is no event 999999" in response.get_data(as_text=True)


# -- the real companion's own log ---------------------------------------------------------------

RISKY_POST = ("Hi Sarah, our price for the HX-200 hinge is USD 0.42/pc FOB Ningbo. "
              "Call me on +86 138 0013 8000.")


@pytest.fixture
def companion(client, data_dir):
    token, _ = admin_token(data_dir)
    sign_in(client, token)
    return client


def test_event_detail_shows_masked_findings_rules_hashes_and_the_decision(companion):
    check = companion.post("/v1/check", json={"text": RISKY_POST, "platform": "linkedin",
                                              "url": "https://www.linkedin.com/feed/?text=secret"}).get_json()
    assert check["verdict"] == "warn"
    companion.post("/v1/decision", json={"scan_id": check["scan_id"], "action": "overridden",
                                         "justification": "Price already on our public catalogue page"})
    html = companion.get("/audit").get_data(as_text=True)
    assert shown_seqs(html) == [2, 1]
    detail = companion.get("/audit/events/1").get_data(as_text=True)
    rules = {f["rule"] for f in check["findings"]}
    for finding in check["findings"]:
        assert f"<code>{finding['rule']}</code>" in detail
        assert finding["excerpt"].replace("&", "&amp;") in detail.replace("&#39;", "'")
    assert len(re.findall(r'<code class="pg-hash">h1:[0-9a-f]{32}</code>', detail)) >= len(rules) - 1
    for raw in ("0.42", "138 0013 8000", "Sarah"):
        assert raw not in detail, "the page must never show a raw matched value"
    assert "www.linkedin.com" in detail and "secret" not in detail
    assert "Price already on our public catalogue page" in detail  # under "Same post"
    decision = companion.get("/audit/events/2").get_data(as_text=True)
    assert "Posted anyway" in decision and "Price already on our public catalogue page" in decision
    assert 'href="/audit/events/1"' in decision


def test_everything_from_the_log_is_escaped(companion):
    check = companion.post("/v1/check", json={"text": RISKY_POST, "platform": "facebook"}).get_json()
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">"\'&'
    companion.post("/v1/decision", json={"scan_id": check["scan_id"], "action": "overridden",
                                         "justification": hostile})
    for url in ("/audit", "/audit/events/2", "/audit/events/1"):
        html = companion.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in \
        companion.get("/audit/events/2").get_data(as_text=True)


def test_the_companions_own_page_uses_its_log_and_shows_chain_ok(companion):
    companion.post("/v1/check", json={"text": "Great trade show in Canton this week!", "platform": "linkedin"})
    html = companion.get("/audit?verdict=allow").get_data(as_text=True)
    assert shown_seqs(html) == [1] and 'data-chain="ok"' in html
    assert "Hash chain intact" in html and "1 event verified · head #1" in html
