"""The review tool over the central PostgreSQL store gives the same posts, outcomes and people
as over the laptop's SQLite log (real PostgreSQL, events forwarded by the real sink), and the
central store's own tables (posts, daily and monthly counts, search indexes, kept by the
ingest trigger) give the same answers as the events they are built from."""

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
from companion.audit.query import EventFilter
from companion.review.people import Period, by_category_and_platform, people, person_record, top_rules
from companion.review.central_posts import central_plan
from companion.review.posts import OUTCOMES, PostFilter, count_posts, find_posts
from companion.review.sql import POSTGRES, SQLITE
from sink_servers import new_database, postgres  # noqa: F401

NOW = datetime.now(timezone.utc)
YEAR = Period(NOW - timedelta(days=366), NOW + timedelta(days=1))
MIDNIGHT = NOW.replace(hour=0, minute=0, second=0, microsecond=0)
WHOLE_DAYS = [  # periods the daily and monthly counts answer: a year, 30 days, mid-month to mid-month
    Period(MIDNIGHT - timedelta(days=364), MIDNIGHT + timedelta(days=1)),
    Period(MIDNIGHT - timedelta(days=29), MIDNIGHT + timedelta(days=1)),
    Period(MIDNIGHT.replace(day=14) - timedelta(days=200), MIDNIGHT.replace(day=14) - timedelta(days=20)),
    Period(MIDNIGHT.replace(day=1) - timedelta(days=1), MIDNIGHT.replace(day=1) + timedelta(days=1)),
]


@pytest.fixture(scope="module")
def both(postgres, tmp_path_factory):
    url = new_database(postgres)
    data_dir = tmp_path_factory.mktemp("pg-review") / "data"
    write_synthetic_log(data_dir, 900, seed=21)
    store = AuditStore.open(data_dir)
    forward_all(store, url)
    local, central = SqliteAuditReader(store), PostgresAuditReader.open(url)
    assert central.review_tables().counts and central.review_tables().search  # the ingest made them
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


@pytest.fixture(scope="module")
def events_only(both):
    """The same central store read without its review tables, from the events alone."""
    _, central, _ = both
    reader = PostgresAuditReader.open(central.db.url, review_tables=False)
    yield reader
    reader.close()


@pytest.mark.parametrize("period", WHOLE_DAYS, ids=["year", "30 days", "mid-month", "month edge"])
def test_the_counts_kept_at_ingest_agree_with_the_events(both, events_only, period):
    local, central, _ = both
    assert [vars(r) for r in people(central, POSTGRES, period)] == [vars(r) for r in people(events_only, POSTGRES, period)] \
        == [vars(r) for r in people(local, SQLITE, period)]
    assert by_category_and_platform(central, POSTGRES, period) == by_category_and_platform(events_only, POSTGRES, period)
    assert top_rules(central, POSTGRES, period) == top_rules(events_only, POSTGRES, period) == top_rules(local, SQLITE, period)
    assert people(central, POSTGRES, period)  # the synthetic year has someone in each period
    for flt in (EventFilter(since=period.since, until=period.until), EventFilter(since=period.since, platform="linkedin"),
                EventFilter(until=period.until, category="pricing", platform="facebook")):
        assert central.daily_counts(flt) == events_only.daily_counts(flt) == local.daily_counts(flt)


def test_each_posts_outcome_kept_at_ingest_is_the_one_its_decisions_give(both, events_only):
    _, central, _ = both
    kept = dict(central.rows("SELECT e.scan_id, p.outcome FROM postguard_posts p "
                             "JOIN postguard_events e ON e.id = p.event_id", []))
    merged = {p.check["scan_id"]: p.outcome for p in find_posts(events_only, POSTGRES, PostFilter(include_clean=True),
                                                               limit=5000)}
    assert kept == merged and len(set(kept.values())) >= 5


def test_rebuilding_the_review_tables_gives_what_the_ingest_kept(both):
    import psycopg

    _, central, _ = both
    tables = {"postguard_posts": "event_id", "postguard_daily_people": "day, person",
              "postguard_monthly_people": "month, person", "postguard_daily_findings": "day, platform, category",
              "postguard_daily_rules": "day, rule", "postguard_names": "field, name"}
    before = {name: central.rows(f"SELECT * FROM {name} ORDER BY {key}", []) for name, key in tables.items()}
    with psycopg.connect(central.db.url, autocommit=True) as conn:
        conn.execute("SELECT postguard_rebuild_review()")
    after = {name: central.rows(f"SELECT * FROM {name} ORDER BY {key}", []) for name, key in tables.items()}
    assert after == before and all(before.values())


SEARCHES = ["already published", "TOM.R", "anna", "li.wei", "unit_price", "pricing", "PRICING", "linked", "insta",
            "client", "_", "%", "zzqq-nothing", "a", "ed"]


@pytest.mark.parametrize("term", SEARCHES)
def test_search_gives_the_same_posts_with_its_indexes_as_without(both, events_only, term):
    local, central, _ = both
    plan = central_plan(central, POSTGRES, PostFilter(search=term))
    assert plan.tables.search and plan.tables.counts  # the indexed search is the one under test
    for flt in (PostFilter(search=term), PostFilter(search=term, include_clean=True),
                PostFilter(search=term, platform="linkedin", outcome="overridden")):
        indexed = find_posts(central, POSTGRES, flt, limit=2000, matching=count_posts(central, POSTGRES, flt))
        assert keyed(indexed) == keyed(find_posts(events_only, POSTGRES, flt, limit=2000))
        assert sorted(keyed(indexed)) == sorted(keyed(find_posts(local, SQLITE, flt, limit=2000)))
        assert count_posts(central, POSTGRES, flt) == count_posts(events_only, POSTGRES, flt) == len(indexed)


def test_search_lists_the_matching_justifications_when_few_and_probes_them_when_many(both, events_only):
    _, central, _ = both
    from companion.review import central_posts

    # every override in the synthetic year gives the same reason, so its sample says "common"
    assert central_plan(central, POSTGRES, PostFilter(search="already published")).dense
    common, central_posts.COMMON_JUSTIFICATION = central_posts.COMMON_JUSTIFICATION, 10**6
    cap = central_posts.WHY_LOOKUP_CAP
    try:
        few = central_plan(central, POSTGRES, PostFilter(search="already published"))
        assert few.why_scans  # under the cap: listed
        flt = PostFilter(search="already published")
        assert keyed(find_posts(central, POSTGRES, flt, limit=2000)) == keyed(find_posts(events_only, POSTGRES, flt, limit=2000))
        central_posts.WHY_LOOKUP_CAP = 3
        many = central_plan(central, POSTGRES, PostFilter(search="already published"))
        assert many.why_scans is None
        flt = PostFilter(search="already published")
        assert keyed(find_posts(central, POSTGRES, flt, limit=2000)) == keyed(find_posts(events_only, POSTGRES, flt, limit=2000))
    finally:
        central_posts.WHY_LOOKUP_CAP, central_posts.COMMON_JUSTIFICATION = cap, common


@pytest.mark.parametrize("descending", [True, False])
@pytest.mark.parametrize("flt", [PostFilter(include_clean=True), PostFilter(since=NOW - timedelta(days=40)),
                                 PostFilter(search="anna")])
def test_sorting_by_outcome_walks_the_kept_outcomes_in_the_same_order(both, events_only, flt, descending):
    _, central, _ = both
    for offset in (0, 50):
        kept = find_posts(central, POSTGRES, flt, sort="outcome", descending=descending, limit=50, offset=offset)
        plain = find_posts(events_only, POSTGRES, flt, sort="outcome", descending=descending, limit=50, offset=offset)
        assert keyed(kept) == keyed(plain)
    outcomes = [p.outcome for p in find_posts(central, POSTGRES, flt, sort="outcome", descending=descending, limit=400)]
    assert outcomes == sorted(outcomes, reverse=descending)


@pytest.mark.parametrize("acting", ["company", "personal"])
def test_the_acted_as_company_filter_agrees_with_the_laptops_log(both, acting):
    local, central, _ = both
    flt = PostFilter(acting=acting, include_clean=True)
    theirs = find_posts(central, POSTGRES, flt, limit=2000)
    assert sorted(keyed(theirs)) == sorted(keyed(find_posts(local, SQLITE, flt, limit=2000)))
    assert theirs and all(p.check["details"]["acted_as_company"] is (acting == "company") for p in theirs)


def test_the_central_page_keeps_review_entries_in_the_central_database_with_the_reviewers_rights(postgres, tmp_path):
    """`audit serve` (create_review_app over the central store) writes review entries where every
    reviewer sees them, with only the rights docs/audit.md grants the reviewers' role."""
    import subprocess

    import psycopg
    from test_postgres_sink import POSTGUARD, documented_grants

    url = new_database(postgres)
    data_dir = tmp_path / "laptop"
    write_synthetic_log(data_dir, 60, seed=5)
    store = AuditStore.open(data_dir)
    try:
        forward_all(store, url)
    finally:
        store.close()
    created = subprocess.run([POSTGUARD, "audit", "init-db", "--db", url], capture_output=True, text=True, timeout=120)
    assert created.returncode == 0, created.stderr
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS postguard_laptop")  # the cluster is shared by this session's tests
        conn.execute("DROP ROLE IF EXISTS postguard_review")
        conn.execute(documented_grants())
    review_url = f"postgresql://postguard_review:change-me-review@{url.split('@', 1)[1]}"
    readers = [PostgresAuditReader.open(review_url) for _ in range(2)]
    try:
        assert readers[0].review_tables().counts and readers[0].review_tables().search  # granted, so used
        clients = []
        for n, reader in enumerate(readers):  # two compliance workstations
            app = create_review_app(reader, Settings(data_dir=tmp_path / f"ws{n}"))
            client = app.test_client()
            client.post("/audit/login", data={"token": admin_token(tmp_path / f"ws{n}")[0]},
                        headers={"Origin": "http://localhost"})
            clients.append(client)
        scan_id = find_posts(readers[0], POSTGRES, PostFilter(), limit=1)[0].check["scan_id"]
        added = clients[0].post(f"/audit/posts/{scan_id}/review", data={"action": "reviewed", "reviewer": "Ann"},
                                headers={"Origin": "http://localhost"})
        assert added.status_code == 303
        html = clients[1].get(f"/audit/posts/{scan_id}").get_data(as_text=True)
        assert 'data-action="reviewed"' in html and "Ann" in html  # the other workstation sees it
        assert clients[1].get("/audit/posts?review=open").status_code == 200
        assert clients[1].get("/audit/people").status_code == 200
        assert not (tmp_path / "ws0" / "review.sqlite3").exists()
    finally:
        for reader in readers:
            reader.close()


def test_a_search_that_matches_many_recent_posts_walks_them_and_a_rare_one_is_fetched_by_index(both):
    _, central, _ = both
    assert central_plan(central, POSTGRES, PostFilter(search="linked", include_clean=True)).dense  # a site: 1 in 4
    rare = central_plan(central, POSTGRES, PostFilter(search="zzqq-nothing"))
    assert not rare.dense and rare.why_scans == [] and rare.users == rare.identities == []
    person = central_plan(central, POSTGRES, PostFilter(search="anna", platform="instagram", outcome="edited"))
    assert not person.dense and person.users == ["anna.k"]


def test_a_store_kept_by_the_earlier_per_row_trigger_gets_the_per_statement_one_and_the_same_counts(postgres, tmp_path):
    """The first version of the ingest trigger ran per row (six statements per event, a seventh of
    the ingest speed); migration must replace it, and the counts then still match the events."""
    import psycopg

    from companion.audit.sinks.pg_review_tables import ensure_review_tables, review_tables_ready
    from companion.audit.sinks.pg_schema import ensure_schema

    url = new_database(postgres)
    with psycopg.connect(url, autocommit=True) as conn:
        ensure_schema(conn)
        conn.execute("DROP TRIGGER postguard_events_review ON postguard_events")
        conn.execute("CREATE FUNCTION per_row_placeholder() RETURNS trigger LANGUAGE plpgsql AS "
                     "$$ BEGIN RETURN NULL; END $$")
        conn.execute("CREATE TRIGGER postguard_events_review AFTER INSERT ON postguard_events "
                     "FOR EACH ROW EXECUTE FUNCTION per_row_placeholder()")
        assert not review_tables_ready(conn)
        assert ensure_review_tables(conn) == []
        assert review_tables_ready(conn)
        level = conn.execute("SELECT tgtype & 1 FROM pg_trigger WHERE tgname = 'postguard_events_review'").fetchone()
        assert level == (0,), "once per statement"
    data_dir = tmp_path / "data"
    write_synthetic_log(data_dir, 120, seed=5)
    store = AuditStore.open(data_dir)
    forward_all(store, url)
    local, central = SqliteAuditReader(store), PostgresAuditReader.open(url)
    try:
        assert [vars(r) for r in people(central, POSTGRES, YEAR)] == [vars(r) for r in people(local, SQLITE, YEAR)]
        assert keyed(find_posts(central, POSTGRES, PostFilter(include_clean=True), limit=500)) == \
            keyed(find_posts(local, SQLITE, PostFilter(include_clean=True), limit=500))
    finally:
        central.close()
        local.close()
        store.close()
