"""Benchmark: the review tool (posts, filters, search, sort, people, team) on a laptop's year in
SQLite and on millions of events in PostgreSQL.

    .venv/bin/python bench/bench_review_tool.py sqlite [--events 50000] [--repeat 7]
    .venv/bin/python bench/bench_review_tool.py postgres [--events 10000000] [--repeat 5]

SQLite: a synthetic year of chained events (tests/companion/test_review_scale.py) in a real
store. PostgreSQL: a throwaway cluster (tests/companion/sink_servers.py) filled server-side
with generate_series: 2,000 people, a year, 55 % clean checks, a decision after every flagged
check; the central store's schema and indexes as `ensure_schema` makes them. Whole page
renders through the Flask app are timed (median of `repeat`, after one warm-up), with the
chain badge's walk excluded for PostgreSQL (it has its own figures in docs/audit.md).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "companion"))

from companion.config import Settings  # noqa: E402
from companion.review import create_review_app  # noqa: E402

TODAY = datetime.now(timezone.utc).date()
D30 = (TODAY - timedelta(days=29)).isoformat()


def pages(person: str, rule: str) -> list[tuple[str, str]]:
    return [
        ("posts, first page (flagged, newest first)", "/audit/posts"),
        ("posts incl. clean, first page", "/audit/posts?clean=1"),
        ("posts of one person", f"/audit/posts?person={person}"),
        ("posts, outcome = overridden", "/audit/posts?outcome=overridden"),
        ("posts, category + platform, last 30 days", f"/audit/posts?category=pricing&platform=linkedin&from={D30}"),
        ("posts, rule", f"/audit/posts?rule={rule}"),
        ("search a justification", "/audit/posts?q=already+published"),
        ("search a person", f"/audit/posts?q={person}"),
        ("sorted by person", "/audit/posts?sort=person&dir=asc"),
        ("sorted by outcome, last 30 days", f"/audit/posts?sort=outcome&from={D30}"),
        ("not reviewed yet", "/audit/posts?review=open"),
        ("page 20", "/audit/posts?page=20"),
        ("person page, 30 days", f"/audit/people/{person}"),
        ("person page, a year", f"/audit/people/{person}?from={(TODAY - timedelta(days=364)).isoformat()}"),
        ("team overview, 30 days", "/audit/people"),
        ("team overview, a year", f"/audit/people?from={(TODAY - timedelta(days=364)).isoformat()}"),
    ]


def timed(client, url: str, repeat: int) -> tuple[float, float]:
    """Median wall-clock ms and median CPU ms of this process (SQLite runs in it; on a busy
    shared machine the CPU time is what the page costs, the wall clock what it felt like)."""
    client.get(url)  # warm-up (and the chain walk's cache)
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        response.get_data()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[-500:])
    return statistics.median(wall), statistics.median(cpu)


def sign_in(app, data_dir: Path):
    from companion.review.auth import admin_token

    client = app.test_client()
    token, _ = admin_token(data_dir)
    response = client.post("/audit/login", data={"token": token}, headers={"Origin": "http://localhost"})
    assert response.status_code == 303
    return client


def bench_sqlite(events: int, repeat: int) -> None:
    from test_review_scale import write_synthetic_log

    from companion.audit import AuditStore
    from companion.audit.sqlite_reader import SqliteAuditReader

    data_dir = Path(tempfile.mkdtemp(prefix="bench-review-")) / "data"
    started = time.perf_counter()
    write_synthetic_log(data_dir, events)
    size = (data_dir / "audit.sqlite3").stat().st_size
    print(f"SQLite: {events:,} events over a year, {size / 1e6:.0f} MB, written in {time.perf_counter() - started:.1f} s")
    store = AuditStore.open(data_dir)
    reader = SqliteAuditReader(store)
    app = create_review_app(reader, Settings(data_dir=data_dir))
    client = sign_in(app, data_dir)
    report(client, pages("li.wei", "unit_price"), repeat)


SEED_SQL = """
INSERT INTO postguard_events (laptop_id, seq, event_id, ts, kind, os_user, host, platform, scan_id, url_host, verdict,
    categories, rules, counts, excerpts, value_hashes, ocr_incomplete, action, justification, details, versions,
    prev_hash, hash, canonical)
SELECT laptop, g, md5('e' || g), ts, kind, os_user, host, platform, scan, url_host, verdict, cats, rules, '{{}}'::jsonb,
    excerpts, '[]'::jsonb, false, action, why, details, '{{}}'::jsonb, '', '',
    jsonb_build_object('seq', g, 'event_id', md5('e' || g), 'ts', ts, 'kind', kind, 'os_user', os_user, 'host', host,
        'platform', platform, 'scan_id', scan, 'url_host', url_host, 'verdict', verdict, 'categories', cats,
        'rules', rules, 'counts', '{{}}'::jsonb, 'excerpts', excerpts, 'value_hashes', '[]'::jsonb,
        'ocr_incomplete', false, 'action', action, 'justification', why, 'details', details,
        'versions', '{{}}'::jsonb, 'prev_hash', '', 'hash', '')::text
FROM (
  SELECT g, 'laptop-' || (p % 2000) AS laptop, kind,
    to_char(TIMESTAMP '{start}' + (p::float8 / {posts}) * INTERVAL '365 days' + (CASE WHEN kind = 'decision' THEN INTERVAL '40 seconds' ELSE INTERVAL '0' END),
            'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ts,
    'user' || (p % 2000) AS os_user, 'HOST-' || (p % 2000) AS host,
    (ARRAY['linkedin', 'facebook', 'instagram', 'other'])[1 + (p / 7) % 4] AS platform, md5('s' || p) AS scan,
    'www.example.com' AS url_host,
    CASE WHEN NOT flagged THEN 'allow' WHEN cat = 'credentials' THEN 'block' ELSE 'warn' END AS verdict,
    CASE WHEN flagged THEN jsonb_build_array(cat) ELSE '[]'::jsonb END AS cats,
    CASE WHEN flagged THEN jsonb_build_array(rule) ELSE '[]'::jsonb END AS rules,
    CASE WHEN flagged AND kind = 'check' THEN jsonb_build_array(jsonb_build_object('category', cat, 'rule', rule,
        'excerpt', 'only USD #.## per unit', 'source', 'text', 'image_index', null)) ELSE '[]'::jsonb END AS excerpts,
    CASE WHEN kind = 'decision' THEN act END AS action,
    CASE WHEN kind = 'decision' AND act = 'overridden' THEN 'Customer already published this price list' END AS why,
    jsonb_build_object('identity', 'user' || (p % 2000) || '@example.com') AS details
  FROM (
    SELECT g, p, kind, ((p * 2654435761::bigint) % 100) < 45 AS flagged,
      (ARRAY['contact_pii', 'client_confidential', 'pricing', 'unreleased_product', 'credentials', 'sensitive_topic',
             'disparagement', 'competitor'])[1 + (p / 3) % 8] AS cat,
      (ARRAY['contact.phone', 'client.named', 'pricing.unit_price', 'product.unreleased', 'credentials.password',
             'topic.politics', 'tone.insult', 'competitor.named'])[1 + (p / 3) % 8] AS rule,
      (ARRAY['posted', 'edited', 'cancelled', 'overridden', 'redacted'])[1 + (p / 11) % 5] AS act
    FROM (SELECT g, g AS p, 'check' AS kind FROM generate_series({lo}, {hi}) g
          UNION ALL
          SELECT {posts} + g, g, 'decision' FROM generate_series({lo}, {hi}) g
          WHERE ((g * 2654435761::bigint) % 100) < 45) s
  ) t
) u
"""


def seed_postgres(events: int) -> tuple[object, str]:
    """A throwaway cluster holding `events` synthetic events; returns (server, url)."""
    import psycopg
    from sink_servers import Postgres, postgres_bin_dir

    from companion.audit.sinks.pg_schema import DDL

    server = Postgres(postgres_bin_dir()).start()
    url = server.create_database("bench")
    posts = int(events / 1.45)
    start = (datetime.now(timezone.utc) - timedelta(days=365)).strftime("%Y-%m-%d %H:%M:%S")
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(DDL)
        listed = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'postguard_events' " \
                 "AND indexname NOT LIKE '%%pkey' AND indexname NOT LIKE '%%key'"
        indexes = conn.execute(listed).fetchall()
        for name, _ in indexes:  # built once after the load, not row by row
            conn.execute(f"DROP INDEX {name}")
        step = 1_000_000
        for lo in range(1, posts + 1, step):
            conn.execute(SEED_SQL.format(start=start, posts=posts, lo=lo, hi=min(posts, lo + step - 1)))
            print(f"  seeded posts {lo:,}-{min(posts, lo + step - 1):,} ({time.perf_counter() - started:.0f} s)", flush=True)
        for _, definition in indexes:
            conn.execute(definition)
        conn.execute("VACUUM ANALYZE postguard_events")
        total = conn.execute("SELECT count(*) FROM postguard_events").fetchone()[0]
        size = conn.execute("SELECT pg_total_relation_size('postguard_events')").fetchone()[0]
    print(f"PostgreSQL: {total:,} events ({posts:,} posts, 2,000 people, a year), {size / 1e9:.1f} GB, "
          f"seeded and indexed in {time.perf_counter() - started:.0f} s", flush=True)
    return server, url


def bench_postgres(url: str, repeat: int) -> None:
    from companion.audit.chain import ChainReport
    from companion.audit.pg_reader import PostgresAuditReader

    reader = PostgresAuditReader.open(url)
    reader.verify = lambda: ChainReport(True, 0, None, "not walked in this bench")
    data_dir = Path(tempfile.mkdtemp(prefix="bench-review-pg-")) / "data"
    app = create_review_app(reader, Settings(data_dir=data_dir), source_label="bench")
    client = sign_in(app, data_dir)
    report(client, pages("user7@example.com", "pricing.unit_price"), repeat)
    reader.close()


def report(client, urls: list[tuple[str, str]], repeat: int) -> None:
    print(f"| page | wall ms | CPU ms (this process) |\n|---|---|---|")
    for label, url in urls:
        wall, cpu = timed(client, url, repeat)
        print(f"| {label} | {wall:.0f} | {cpu:.0f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("store", choices=("sqlite", "postgres"))
    parser.add_argument("--events", type=int)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--url", help="PostgreSQL: time an already seeded database instead of seeding one")
    parser.add_argument("--keep", action="store_true", help="PostgreSQL: leave the seeded cluster running")
    args = parser.parse_args()
    if args.store == "sqlite":
        bench_sqlite(args.events or 50_000, args.repeat)
        return
    if args.url:
        bench_postgres(args.url, args.repeat)
        return
    server, url = seed_postgres(args.events or 10_000_000)
    try:
        bench_postgres(url, args.repeat)
    finally:
        if args.keep:
            print(f"kept: --url {url}  (stop: pg_ctl -D {server.data} stop, as {server.user or 'you'})")
        else:
            server.stop()


if __name__ == "__main__":
    main()
