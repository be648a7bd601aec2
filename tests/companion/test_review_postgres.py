"""The review tool over the central PostgreSQL store gives the same posts, outcomes and people
as over the laptop's SQLite log (real PostgreSQL, events forwarded by the real sink)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from test_postgres_reader import forward_all
from test_review_scale import write_synthetic_log

from companion.audit import AuditStore
from companion.audit.pg_reader import PostgresAuditReader
from companion.audit.sqlite_reader import SqliteAuditReader
from companion.config import Settings
from companion.review import create_review_app
from companion.review.auth import admin_token
from companion.review.people import Period, people, person_record, top_rules
from companion.review.posts import OUTCOMES, PostFilter, count_posts, find_posts
from companion.review.sql import POSTGRES, SQLITE
from sink_servers import new_database, postgres  # noqa: F401

NOW = datetime.now(timezone.utc)
YEAR = Period(NOW - timedelta(days=366), NOW + timedelta(days=1))


@pytest.fixture(scope="module")
def both(postgres, tmp_path_factory):
    url = new_database(postgres)
    data_dir = tmp_path_factory.mktemp("pg-review") / "data"
    write_synthetic_log(data_dir, 900, seed=21)
    store = AuditStore.open(data_dir)
    forward_all(store, url)
    local, central = SqliteAuditReader(store), PostgresAuditReader.open(url)
    yield local, central, data_dir
    central.close()
    local.close()
    store.close()


def keyed(posts) -> list[tuple[str, str, str]]:
    return [(p.check["scan_id"], p.outcome, p.person) for p in posts]


@pytest.mark.parametrize("flt", [
    PostFilter(), PostFilter(include_clean=True), PostFilter(person="anna.k"), PostFilter(category="pricing"),
    PostFilter(rule="unit_price"), PostFilter(search="already published"), PostFilter(search="TOM.R"),
    *[PostFilter(outcome=o) for o in OUTCOMES],
])
def test_posts_and_counts_match_the_laptops_log(both, flt):
    local, central, _ = both
    mine = find_posts(local, SQLITE, flt, limit=2000)
    theirs = find_posts(central, POSTGRES, flt, limit=2000)
    assert sorted(keyed(theirs)) == sorted(keyed(mine))
    assert count_posts(central, POSTGRES, flt) == count_posts(local, SQLITE, flt) == len(mine)
    justified = {p.check["scan_id"]: p.justification for p in mine}
    assert {p.check["scan_id"]: p.justification for p in theirs} == justified


@pytest.mark.parametrize("sort", ["person", "platform", "verdict", "outcome"])
def test_sorting_agrees(both, sort):
    local, central, _ = both
    key = {"person": lambda p: p.person, "platform": lambda p: p.check["platform"],
           "verdict": lambda p: p.check["verdict"], "outcome": lambda p: p.outcome}[sort]
    for reader, dialect in ((local, SQLITE), (central, POSTGRES)):
        shown = [key(p) for p in find_posts(reader, dialect, PostFilter(include_clean=True), sort=sort,
                                            descending=False, limit=300)]
        if sort != "verdict":
            assert shown == sorted(shown)


def test_people_and_rules_match(both):
    local, central, _ = both
    assert [vars(r) for r in people(central, POSTGRES, YEAR)] == [vars(r) for r in people(local, SQLITE, YEAR)]
    assert top_rules(central, POSTGRES, YEAR) == top_rules(local, SQLITE, YEAR)
    assert vars(person_record(central, POSTGRES, "li.wei", YEAR)) == vars(person_record(local, SQLITE, "li.wei", YEAR))


def test_the_review_pages_serve_the_central_store(both, tmp_path):
    _, central, _ = both
    app = create_review_app(central, Settings(data_dir=tmp_path / "central"), source_label="Central store")
    client = app.test_client()
    token, _ = admin_token(tmp_path / "central")
    client.post("/audit/login", data={"token": token}, headers={"Origin": "http://localhost"})
    for url in ("/audit/posts", "/audit/posts?outcome=overridden&sort=person", "/audit/people",
                "/audit/people/li.wei?from=2000-01-01", "/audit/posts/export.csv?outcome=edited"):
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[-400:])
    html = client.get("/audit/posts").get_data(as_text=True)
    assert 'data-outcome="overridden"' in html or 'data-outcome="edited"' in html


def test_review_entries_in_the_central_store_are_shared_chained_and_append_only(both, postgres, tmp_path):
    import threading

    import psycopg

    from companion.review.pg_workflow import PostgresWorkflowStore

    url = new_database(postgres)
    first, second = PostgresWorkflowStore.open(url), PostgresWorkflowStore.open(url)  # two workstations
    try:
        def write(store, who):
            for n in range(15):
                store.append(action="comment", post=f"scan-{n % 3}", reviewer=who, comment=f"{who} note {n}")

        threads = [threading.Thread(target=write, args=(s, w)) for s, w in ((first, "Ann"), (second, "Bo"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        second.append(action="reviewed", post="scan-1", reviewer="Bo")
        report = first.verify()
        assert report.ok and report.checked == 31
        assert first.reviewed_posts() == ["scan-1"] and first.review_of("scan-1").reviewed
        first.save_view("Mine", "outcome=overridden")
        assert second.views() == [("Mine", "outcome=overridden")]

        _, central, _ = both
        app = create_review_app(central, Settings(data_dir=tmp_path / "ws"), workflow=second)
        client = app.test_client()
        client.post("/audit/login", data={"token": admin_token(tmp_path / "ws")[0]}, headers={"Origin": "http://localhost"})
        scan_id = find_posts(central, POSTGRES, PostFilter(), limit=1)[0].check["scan_id"]
        client.post(f"/audit/posts/{scan_id}/review", data={"action": "comment", "reviewer": "Cy", "comment": "Seen"},
                    headers={"Origin": "http://localhost"})
        assert first.review_of(scan_id).entries[0]["comment"] == "Seen"

        with psycopg.connect(url, autocommit=True) as conn:
            with pytest.raises(psycopg.Error):
                conn.execute("UPDATE postguard_review_entries SET comment = 'x' WHERE seq = 3")
            conn.execute("ALTER TABLE postguard_review_entries DISABLE TRIGGER postguard_review_entries_append_only")
            conn.execute("UPDATE postguard_review_entries SET comment = 'x' WHERE seq = 3")
        broken = first.verify()
        assert not broken.ok and broken.first_broken == 3
    finally:
        first.close()
        second.close()
