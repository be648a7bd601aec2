"""The review tool through Flask's test client: one row per post, search, sort, saved views,
people, the review workflow and post exports, on a synthetic year and on the real companion.

Expected answers are computed from the synthetic events themselves (test_review_scale.py).
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections import Counter

import pytest
from test_review_page import ORIGIN, SyntheticLog, sign_in

from companion.audit.identity_map import load_identity_map
from companion.errors import ConfigError
from companion.review.auth import admin_token


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    synthetic = SyntheticLog(tmp_path_factory.mktemp("posts") / "data", 1500)
    yield synthetic
    synthetic.close()


def posts_shown(html: str) -> list[str]:
    return re.findall(r'<tr data-pg-href="[^"]*" data-post="([0-9a-f]+)"', html)


def expected_posts(events: list[dict]) -> dict[str, tuple[dict, str]]:
    """scan id -> (check, outcome) as the module table of posts.py says."""
    last = {e["scan_id"]: e["action"] for e in events if e["kind"] == "decision"}
    out = {}
    for e in events:
        if e["kind"] != "check":
            continue
        action, verdict = last.get(e["scan_id"]), e["verdict"]
        outcome = (action if action in ("overridden", "redacted", "edited", "cancelled") else
                   "clean" if verdict == "allow" else "posted" if action == "posted" else
                   "blocked" if verdict == "block" else "open")
        out[e["scan_id"]] = (e, outcome)
    return out


def all_pages(client, url: str) -> list[str]:
    shown, page = [], 1
    while True:
        html = client.get(f"{url}&page={page}").get_data(as_text=True)
        rows = posts_shown(html)
        shown += rows
        if 'id="pg-next"' not in html:
            return shown
        page += 1


def test_one_row_per_post_with_the_merged_outcome_clean_posts_hidden_unless_asked(year):
    expected = expected_posts(year.events)
    flagged = [s for s, (c, _) in expected.items() if c["verdict"] != "allow"]
    shown = all_pages(year.client, "/audit/posts?sort=time")
    assert sorted(shown) == sorted(flagged) and len(shown) == len(set(shown))
    with_clean = all_pages(year.client, "/audit/posts?clean=1")
    assert len(with_clean) == len(expected)
    html = year.client.get("/audit/posts?clean=1").get_data(as_text=True)
    for scan_id, outcome in re.findall(r'data-post="([0-9a-f]+)" data-person="[^"]*" data-outcome="(\w+)"', html):
        assert outcome == expected[scan_id][1]


@pytest.mark.parametrize("outcome", ["overridden", "edited", "cancelled", "redacted", "blocked", "clean"])
def test_the_outcome_filter_shows_exactly_those_posts(year, outcome):
    expected = {s for s, (_, o) in expected_posts(year.events).items() if o == outcome}
    assert set(all_pages(year.client, f"/audit/posts?outcome={outcome}")) == expected


def test_search_finds_justifications_people_and_rules_but_never_excerpt_words(year):
    overridden = {s for s, (_, o) in expected_posts(year.events).items() if o == "overridden"}
    assert set(all_pages(year.client, "/audit/posts?q=already+published")) == overridden
    mine = {s for s, (c, _) in expected_posts(year.events).items() if c["os_user"] == "anna.k" and c["verdict"] != "allow"}
    assert set(all_pages(year.client, "/audit/posts?q=ANNA.K")) == mine
    pricing = {s for s, (c, _) in expected_posts(year.events).items() if "unit_price" in c["rules"]}
    assert set(all_pages(year.client, "/audit/posts?q=unit_price")) == pricing
    assert all_pages(year.client, "/audit/posts?q=shipped") == []  # only in excerpts: not searched


@pytest.mark.parametrize("column, key", [("person", lambda c: c["os_user"]), ("platform", lambda c: c["platform"])])
def test_sorting_a_column_orders_the_whole_view_and_clicking_again_reverses_it(year, column, key):
    expected = expected_posts(year.events)
    html = year.client.get(f"/audit/posts?sort={column}&dir=asc").get_data(as_text=True)
    values = [key(expected[s][0]) for s in posts_shown(html)]
    assert values == sorted(values) and len(values) == 50
    assert f'sort={column}&amp;dir=desc' in html  # the header link flips the order
    down = [key(expected[s][0]) for s in posts_shown(year.client.get(f"/audit/posts?sort={column}&dir=desc").get_data(as_text=True))]
    assert down == sorted(down, reverse=True)


def test_a_saved_view_keeps_its_filters_and_opens_from_its_own_address(year):
    response = year.client.post("/audit/views", data={"name": "Pricing overrides", "query": "category=pricing&outcome=overridden&page=3"},
                                headers={"Origin": ORIGIN})
    assert response.status_code == 303
    html = year.client.get("/audit/posts").get_data(as_text=True)
    assert 'data-view="Pricing overrides"' in html
    opened = year.client.get("/audit/views/Pricing%20overrides")
    assert opened.status_code == 303 and opened.headers["Location"].endswith("?category=pricing&outcome=overridden")


@pytest.mark.parametrize("acting", ["company", "personal"])
def test_the_acted_as_filter_shows_the_posts_made_as_the_company_or_not_and_a_saved_view_keeps_it(year, acting):
    expected = {s for s, (c, _) in expected_posts(year.events).items()
                if (c.get("details") or {}).get("acted_as_company") is (acting == "company")}
    assert expected and set(all_pages(year.client, f"/audit/posts?clean=1&acting={acting}")) == expected
    html = year.client.get(f"/audit/posts?clean=1&acting={acting}").get_data(as_text=True)
    assert ('data-acting="company"' in html) is (acting == "company")  # the row says it went out as the company
    response = year.client.post("/audit/views", data={"name": f"As {acting}", "query": f"acting={acting}&clean=1"},
                                headers={"Origin": ORIGIN})
    assert response.status_code == 303
    opened = year.client.get(f"/audit/views/As%20{acting}")
    assert opened.status_code == 303 and opened.headers["Location"].endswith(f"?acting={acting}&clean=1")


@pytest.mark.parametrize("query, message", [("acting=page", "Acted as: not one of"), ("outcome=maybe", "Outcome: not one of"), ("sort=text", "Sort: not one of"),
                                            ("rule=a%20b", "Rule:"), ("review=later", "Review: not one of")])
def test_a_bad_view_is_a_400_naming_the_field(year, query, message):
    response = year.client.get(f"/audit/posts?{query}")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert posts_shown(response.get_data(as_text=True)) == []


def test_a_person_page_counts_checks_warnings_overrides_and_the_rate(year):
    mine = [e for e in year.events if e["os_user"] == "li.wei" and e["ts"] >= year.events[-1]["ts"][:4]]
    html = year.client.get("/audit/people/li.wei?from=2000-01-01").get_data(as_text=True)
    checks = sum(e["kind"] == "check" for e in year.events if e["os_user"] == "li.wei")
    warned = sum(e["kind"] == "check" and e["verdict"] != "allow" for e in year.events if e["os_user"] == "li.wei")
    overrides = sum(e["kind"] == "decision" and e["action"] == "overridden" for e in year.events if e["os_user"] == "li.wei")
    assert mine
    assert f'data-stat="checks">{checks:,}<' in html and f'data-stat="warned">{warned:,}<' in html
    assert f'data-stat="overrides">{overrides}<' in html and f'data-stat="rate">{overrides / warned * 100:.0f}%<' in html


def test_the_team_page_ranks_repeat_offenders_and_top_rules(year):
    html = year.client.get("/audit/people?from=2000-01-01&min=3").get_data(as_text=True)
    overrides = Counter(e["os_user"] for e in year.events if e["kind"] == "decision" and e["action"] == "overridden")
    people = re.findall(r'<tr data-person="([^"]+)">', html)
    assert people[0] == overrides.most_common(1)[0][0]
    offenders = set(re.findall(r'id="pg-offenders".*?</section>', html, re.S)[0].split('href="/audit/people/')[1:])
    assert {o.split('"')[0] for o in offenders} == {p for p, n in overrides.items() if n >= 3}
    rules = Counter(r for e in year.events if e["kind"] == "check" for r in e["rules"])
    assert re.findall(r"<code>(\w+)</code></a></td><td class=\"pg-num\">", html)[0] == rules.most_common(1)[0][0]


def test_review_comment_assign_and_mark_reviewed_are_chained_and_shown(year):
    scan_id = posts_shown(year.client.get("/audit/posts?outcome=overridden").get_data(as_text=True))[0]
    url = f"/audit/posts/{scan_id}/review"
    nameless = year.client.post(url, data={"action": "reviewed", "reviewer": ""}, headers={"Origin": ORIGIN})
    assert "error=name" in nameless.headers["Location"]
    for data in ({"action": "comment", "comment": "Asked for the price to come down"},
                 {"action": "assigned", "assignee": "maria.s"}, {"action": "reviewed"}):
        assert year.client.post(url, data={"reviewer": "Ann (compliance)", **data}, headers={"Origin": ORIGIN}).status_code == 303
    assert 'data-review-chain="ok"' in year.client.get("/audit/posts").get_data(as_text=True)
    html = year.client.get(f"/audit/posts/{scan_id}").get_data(as_text=True)
    assert "Asked for the price to come down" in html and 'data-review="reviewed"' in html and 'data-assignee="maria.s"' in html
    assert scan_id not in all_pages(year.client, "/audit/posts?review=open&outcome=overridden")
    assert scan_id in all_pages(year.client, "/audit/posts?review=reviewed")
    workflow = year.app.extensions["postguard_review"].workflow
    assert workflow.verify().ok
    conn = sqlite3.connect(workflow.db_path)
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("UPDATE review_entries SET comment = 'nothing' WHERE action = 'comment'")
    conn.execute("DROP TRIGGER review_entries_no_update")
    conn.execute("UPDATE review_entries SET comment = 'nothing' WHERE action = 'comment'")
    conn.commit()
    conn.close()
    report = workflow.verify()
    assert not report.ok and "does not match its hash" in report.reason
    html = year.client.get("/audit/posts").get_data(as_text=True)
    assert 'data-review-chain="broken"' in html and f"broken at entry #{report.first_broken}" in html


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_post_exports_carry_the_outcome_findings_and_full_justification(year, fmt):
    expected = expected_posts(year.events)
    response = year.client.get(f"/audit/posts/export.{fmt}?outcome=overridden")
    text = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text))) if fmt == "csv" else [json.loads(l) for l in text.splitlines()]
    assert {r["post"] for r in rows} == {s for s, (_, o) in expected.items() if o == "overridden"}
    for row in rows:
        findings = json.loads(row["findings"]) if fmt == "csv" else row["findings"]
        assert row["outcome"] == "overridden" and row["justification"] == "Customer already published this price list"
        assert [f["rule"] for f in findings] == expected[row["post"]][0]["rules"]


# -- identity -----------------------------------------------------------------------------------

def test_the_company_identity_from_the_profile_or_the_map_names_the_person(tmp_path, api_engine):
    from companion.app import create_app
    from companion.audit.store import _local_identity
    from companion.config import Settings

    me = _local_identity()
    people = tmp_path / "people.csv"
    people.write_text(f"os_user,host,email\n{me['os_user']},{me['host']},li.wei@example.com\n", encoding="utf-8")
    app = create_app(Settings(data_dir=tmp_path / "data", identity_map=people), engine=api_engine)
    client = app.test_client()
    try:
        mapped = client.post("/v1/check", json={"text": "Price USD 0.42/pc FOB Ningbo", "platform": "linkedin"}).get_json()
        client.post("/v1/check", json={"text": "Price USD 0.55/pc FOB Ningbo", "platform": "facebook",
                                       "identity": "Anna.K@Example.com"})
        sign_in(client, admin_token(tmp_path / "data")[0])
        html = client.get("/audit/posts").get_data(as_text=True)
        assert 'data-person="li.wei@example.com"' in html and 'data-person="anna.k@example.com"' in html
        assert me["os_user"] in html  # the OS account stays, as a secondary field
        person = client.get("/audit/people/li.wei@example.com").get_data(as_text=True)
        assert 'data-stat="checks">1<' in person
        only = client.get("/audit/posts?person=li.wei@example.com").get_data(as_text=True)
        assert posts_shown(only) == [mapped["scan_id"]]
    finally:
        app.extensions["postguard"].audit.close()


@pytest.mark.parametrize("text, where", [
    ("user,host,mail\nli,LW,li@example.com\n", ":1"),
    ("os_user,host,email\nli.wei,LW,li@example.com\nanna,AK,anna-at-example\n", ":3 email"),
    ("os_user,host,email\n,LW,li@example.com\n", ":2 os_user"),
    ("os_user,host,email\nli.wei,LW\n", ":2 email"),
])
def test_a_broken_identity_map_names_file_line_and_field(tmp_path, text, where):
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_identity_map(path)
    assert caught.value.message.startswith(f"{path}{where}")


def test_a_hand_edited_row_still_shows_in_the_posts(tmp_path):
    synthetic = SyntheticLog(tmp_path / "data", 200)
    try:
        flagged = next(e for e in reversed(synthetic.events) if e["kind"] == "check" and e["categories"])
        conn = sqlite3.connect(synthetic.db)
        conn.execute("DROP TRIGGER audit_events_no_update")
        conn.execute("UPDATE audit_events SET categories = 'not json', rules = '{\"a\": 1}' WHERE seq = ?",
                     (flagged["seq"],))
        conn.commit()
        conn.close()
        html = synthetic.client.get("/audit/posts").get_data(as_text=True)
        assert flagged["scan_id"] in posts_shown(html)
        assert synthetic.client.get(f"/audit/posts/{flagged['scan_id']}").status_code == 200
        assert synthetic.client.get("/audit/posts/export.csv").status_code == 200
    finally:
        synthetic.close()
