"""Search terms shorter than three characters: a Chinese name is often two (王伟), a reason two or
three characters of Chinese (价格). The trigram indexes of the central store have nothing to look
up for them, so the central store matches such a term against the people, rule ids, categories and
sites it names, and finds justifications through its index of their short pieces. The posts found
must be the ones the laptop's SQLite log finds, and the ones a plain read of the events finds (real
PostgreSQL, events forwarded by the real sink)."""

from __future__ import annotations

from datetime import datetime, timezone

import psycopg
import pytest
from test_postgres_reader import forward_all
from test_review_scale import synthetic_events, write_chained

from companion.audit import AuditStore
from companion.audit.pg_reader import PostgresAuditReader
from companion.audit.sqlite_reader import SqliteAuditReader
from companion.central import short_search
from companion.central.schema import ensure_central_schema
from companion.review.central_posts import central_plan
from companion.review.posts import PostFilter, count_posts, find_posts
from companion.review.sql import POSTGRES, SQLITE
from sink_servers import new_database, postgres  # noqa: F401

REASONS = ["客户王伟同意公开这个价格", "价格已在官网公布", "Ok by VP"]


def chinese_team_log(data_dir, count: int = 700) -> list[dict]:
    """A synthetic log where one salesperson's OS account is 王伟 and some overrides give their
    reason in Chinese (or a two-letter title), chained as the companion writes it."""
    AuditStore.open(data_dir).close()
    events = synthetic_events(count, end=datetime.now(timezone.utc), seed=12)
    overrides = 0
    for event in events:
        if event["os_user"] == "wang.fang":
            event["os_user"] = "王伟"
        if event["kind"] == "decision" and event["action"] == "overridden":
            event["justification"] = REASONS[overrides % 3] if overrides % 4 else event["justification"]
            overrides += 1
    return write_chained(data_dir, events)


@pytest.fixture(scope="module")
def stores(postgres, tmp_path_factory):
    """(the laptop's log, the central store with its indexes, the same store read from its events alone)."""
    url = new_database(postgres)
    with psycopg.connect(url, autocommit=True) as conn:
        ensure_central_schema(conn)  # the service's schema, and its short-pieces index as init-db builds it
        short_search.build(conn)
    data_dir = tmp_path_factory.mktemp("short-search") / "data"
    chinese_team_log(data_dir)
    store = AuditStore.open(data_dir)
    forward_all(store, url)
    local, central = SqliteAuditReader(store), PostgresAuditReader.open(url)
    events_only = PostgresAuditReader.open(url, review_tables=False)
    assert central.review_tables().search and central.review_tables().counts
    yield local, central, events_only
    for reader in (events_only, central, local):
        reader.close()
    store.close()


def keyed(posts) -> list[tuple[str, str, str]]:
    return [(p.check["scan_id"], p.outcome, p.person) for p in posts]


SHORT = ["王伟", "价格", "王", "VP", "vp", "pr", "li", "in", "ed", "zq", "%", "_", "伟c"]


@pytest.fixture(params=["by index", "walked"])
def plan_kind(request, monkeypatch):
    """A term common among the newest posts walks them; else it is fetched by index. This small
    store's sample is all of it, so "by index" is made the plan for every term here."""
    from companion.review import central_posts

    if request.param == "by index":
        monkeypatch.setattr(central_posts, "DENSE_MATCHES", 10**6)
        monkeypatch.setattr(central_posts, "COMMON_JUSTIFICATION", 10**6)
    return request.param


@pytest.mark.parametrize("term", SHORT)
def test_a_short_term_finds_the_same_posts_on_the_central_store_as_on_the_laptop(stores, term, plan_kind):
    local, central, events_only = stores
    plan = central_plan(central, POSTGRES, PostFilter(search=term))
    assert plan.short is not None or plan_kind == "walked"
    assert not plan.dense or plan_kind == "walked"
    for flt in (PostFilter(search=term), PostFilter(search=term, include_clean=True),
                PostFilter(search=term, outcome="overridden")):
        indexed = find_posts(central, POSTGRES, flt, limit=2000, matching=count_posts(central, POSTGRES, flt))
        assert keyed(indexed) == keyed(find_posts(events_only, POSTGRES, flt, limit=2000))
        assert sorted(keyed(indexed)) == sorted(keyed(find_posts(local, SQLITE, flt, limit=2000)))
        assert count_posts(central, POSTGRES, flt) == count_posts(local, SQLITE, flt) == len(indexed)


def test_a_two_character_name_or_reason_is_found_and_names_what_it_matched(stores):
    local, central, _ = stores
    name = find_posts(central, POSTGRES, PostFilter(search="王伟"), limit=2000)
    assert name and {p.person for p in name} >= {"王伟"}
    assert any("王伟" in (p.justification or "") for p in name), "the reason naming 王伟 too"
    price = find_posts(central, POSTGRES, PostFilter(search="价格", outcome="overridden"), limit=2000)
    assert any("价格" in p.justification and "pricing" not in p.check["categories"] for p in price)
    assert all("价格" in p.justification or "pricing" in p.check["categories"] for p in price), \
        "价格 in the reason, or the category the page calls 价格"
    plan = central_plan(central, POSTGRES, PostFilter(search="pr"))
    assert plan.short.rules == ["product_codename", "unit_price"] and "pricing" in plan.short.categories
    assert central_plan(central, POSTGRES, PostFilter(search="王伟")).users == ["王伟"]


def test_without_the_short_pieces_index_a_short_search_still_finds_the_same_posts(stores):
    local, central, _ = stores
    url = central.db.url
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP INDEX postguard_events_search_why_short")
    try:
        flt = PostFilter(search="价格")
        assert sorted(keyed(find_posts(central, POSTGRES, flt, limit=2000))) == \
            sorted(keyed(find_posts(local, SQLITE, flt, limit=2000)))
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            assert short_search.build(conn) and short_search.index_state(conn) == "ready"


# A category searched by the name the page shows it under, in either language, and the ids it
# stands for (companion/review/present.py's label table; the Chinese from messages_zh.py).
LABELS = {"价格": ["pricing"], "Pricing": ["pricing"], "PRIC": ["pricing"], "个人数据": ["contact_pii"],
          "personal DATA": ["contact_pii"], "机密": ["client_confidential"],
          "Client confidential": ["client_confidential"],
          "竞争": ["competitor"], "敏感话题": ["sensitive_topic"], "Unreleased": ["unreleased_product"],
          "账户错误": ["wrong_account"]}
# ... and by the words a reviewer types for it (companion/review/category_words.yaml)
WORDS = {"Prices": ["pricing"], "price": ["pricing"], "报价": ["pricing"], "联系方式": ["contact_pii"],
         "contact": ["contact_pii"], "phone": ["contact_pii"], "电话": ["contact_pii"]}
LABELS_AND_WORDS = {**LABELS, **WORDS}


@pytest.mark.parametrize("term", LABELS_AND_WORDS)
def test_a_category_is_found_by_its_label_in_english_or_chinese_on_both_stores(stores, term, plan_kind):
    from companion.review.present import categories_named

    expected = LABELS_AND_WORDS[term]
    assert categories_named(term) == expected
    local, central, events_only = stores
    for flt in (PostFilter(search=term), PostFilter(search=term, include_clean=True)):
        found = find_posts(local, SQLITE, flt, limit=5000)
        labelled = [p for p in find_posts(local, SQLITE, PostFilter(category=expected[0], include_clean=True),
                                          limit=5000)
                    if flt.include_clean or p.check.get("verdict") != "allow"]
        if expected[0] != "wrong_account":  # the synthetic year has no wrong-account finding
            assert labelled, f"the synthetic year has posts with {expected}"
        assert {p.check["scan_id"] for p in labelled} <= {p.check["scan_id"] for p in found}
        indexed = find_posts(central, POSTGRES, flt, limit=5000, matching=count_posts(central, POSTGRES, flt))
        assert keyed(indexed) == keyed(find_posts(events_only, POSTGRES, flt, limit=5000))
        assert sorted(keyed(indexed)) == sorted(keyed(found))


def test_a_label_search_finds_the_category_and_nothing_its_words_do_not_name(stores, monkeypatch):
    from companion.review import central_posts

    local, central, _ = stores
    personal = find_posts(local, SQLITE, PostFilter(search="个人数据"), limit=5000)
    assert personal and all("contact_pii" in p.check["categories"] for p in personal)
    assert sorted(keyed(find_posts(central, POSTGRES, PostFilter(search="个人数据"), limit=5000))) == \
        sorted(keyed(personal))
    monkeypatch.setattr(central_posts, "DENSE_MATCHES", 10**6)  # fetched by index, as on a large store
    monkeypatch.setattr(central_posts, "COMMON_JUSTIFICATION", 10**6)
    price = central_plan(central, POSTGRES, PostFilter(search="价格"))
    assert "pricing" in price.short.categories, "a two-character label names its category on the central store"
    assert not find_posts(local, SQLITE, PostFilter(search="Zeppelins"), limit=10), \
        "a word of no label and no alias names no category (and post text is never searched)"
    prices = find_posts(local, SQLITE, PostFilter(search="Prices"), limit=5000)
    assert prices and all("pricing" in p.check["categories"] or "price" in (p.justification or "").lower()
                          for p in prices), "the word a reviewer types names the category (category_words.yaml)"
