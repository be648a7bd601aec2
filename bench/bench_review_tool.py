"""Benchmark: the review tool (posts, filters, search, sort, people, team) on a laptop's year in
SQLite and on millions of events in PostgreSQL.

    .venv/bin/python bench/bench_review_tool.py sqlite [--events 50000] [--repeat 7]
    .venv/bin/python bench/bench_review_tool.py postgres [--events 10000000] [--repeat 5]

SQLite: a synthetic year of chained events (tests/companion/test_review_scale.py) in a real
store. PostgreSQL: a throwaway cluster (tests/companion/sink_servers.py) loaded with COPY from
rows this script writes: 2,000 people, a year, 55 % clean checks, a decision after every
flagged check, one post in ten made as the company's identity. The store's indexes are built
after the load and the review tables (posts, daily and monthly counts, search indexes) by
`ensure_schema`, as `postguard audit init-db` does on an existing store, and the central service's
index for one- and two-character searches by its own code (companion/central/short_search.py), as
`postguard central init-db` builds it; each is timed.
Whole page renders through the Flask app are timed (median of `repeat`, after one warm-up),
with the chain badge's walk excluded for PostgreSQL (it has its own figures in docs/audit.md).
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
        ("posts acted as the company", "/audit/posts?acting=company"),
        ("posts, category + platform, last 30 days", f"/audit/posts?category=pricing&platform=linkedin&from={D30}"),
        ("posts, rule", f"/audit/posts?rule={rule}"),
        ("search a justification", "/audit/posts?q=already+published"),
        ("search a person", f"/audit/posts?q={person}"),
        ("search a rule", f"/audit/posts?q={rule}"),
        ("search that finds nothing", "/audit/posts?q=zqxw"),
        ("search a category by its label: 价格", "/audit/posts?q=%E4%BB%B7%E6%A0%BC"),
        ("search a category by its label: Personal data", "/audit/posts?q=Personal+data"),
        ("sorted by person", "/audit/posts?sort=person&dir=asc"),
        ("sorted by outcome, last 30 days", f"/audit/posts?sort=outcome&from={D30}"),
        ("not reviewed yet", "/audit/posts?review=open"),
        ("page 20", "/audit/posts?page=20"),
        ("person page, 30 days", f"/audit/people/{person}"),
        ("person page, a year", f"/audit/people/{person}?from={(TODAY - timedelta(days=364)).isoformat()}"),
        ("team overview, 30 days", "/audit/people"),
        ("team overview, a year", f"/audit/people?from={(TODAY - timedelta(days=364)).isoformat()}"),
        ("event log, first page and 30-day chart", "/audit"),
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


CATEGORIES = ("contact_pii", "client_confidential", "pricing", "unreleased_product", "credentials",
              "sensitive_topic", "disparagement", "competitor")
RULES = ("contact.phone", "client.named", "pricing.unit_price", "product.unreleased", "credentials.password",
         "topic.politics", "tone.insult", "competitor.named")
ACTIONS = ("posted", "edited", "cancelled", "overridden", "redacted")
SITES = ("linkedin", "facebook", "instagram", "other")
COPY_COLUMNS = ("laptop_id", "seq", "event_id", "ts", "kind", "os_user", "host", "platform", "scan_id", "url_host",
                "verdict", "categories", "rules", "counts", "excerpts", "value_hashes", "ocr_incomplete", "action",
                "justification", "details", "versions", "prev_hash", "hash", "canonical")
WHY = "Customer already published this price list"


def _rows(posts: int, first: int, last: int, start_us: int) -> str:
    """COPY text for posts first..last: each check, then its decision when it was flagged. Written
    from string templates (json.dumps per event would take longer than the load itself); the
    `canonical` column is the event's JSON with sorted keys, as the sink writes it."""
    from hashlib import md5
    from time import gmtime, strftime

    out, span = [], 365 * 86400 * 1_000_000
    for p in range(first, last + 1):
        flagged = (p * 2654435761) % 100 < 45
        who = p % 2000
        site = SITES[(p // 7) % 4]
        scan = md5(b"s%d" % p).hexdigest()
        moment = start_us + span * p // posts
        company = "true" if p % 10 == 0 else "false"
        details = f'{{"acted_as_company":{company},"identity":"user{who}@example.com"}}'
        common = f"user{who}\tHOST-{who}\t{site}\t{scan}\twww.example.com"
        if flagged:
            index = (p // 3) % 8
            cat, rule = CATEGORIES[index], RULES[index]
            verdict = "block" if cat == "credentials" else "warn"
            cats, rules = f'["{cat}"]', f'["{rule}"]'
            excerpt = (f'[{{"category":"{cat}","excerpt":"only USD #.## per unit","image_index":null,'
                       f'"rule":"{rule}","source":"text"}}]')
            kinds = ((p, "check", 0), (posts + p, "decision", 40_000_000))
        else:
            verdict, cats, rules, excerpt, kinds = "allow", "[]", "[]", "[]", ((p, "check", 0),)
        for seq, kind, later in kinds:
            at = moment + later
            ts = f"{strftime('%Y-%m-%dT%H:%M:%S', gmtime(at // 1_000_000))}.{at % 1_000_000:06d}Z"
            event_id = md5(b"e%d" % seq).hexdigest()
            act = ACTIONS[(p // 11) % 5] if kind == "decision" else None
            why = WHY if act == "overridden" else None
            found = excerpt if kind == "check" else "[]"
            canonical = (f'{{"action":{"null" if act is None else chr(34) + act + chr(34)},"categories":{cats},'
                         f'"counts":{{}},"details":{details},"event_id":"{event_id}","excerpts":{found},"hash":"",'
                         f'"host":"HOST-{who}","justification":{"null" if why is None else chr(34) + why + chr(34)},'
                         f'"kind":"{kind}","ocr_incomplete":false,"os_user":"user{who}","platform":"{site}",'
                         f'"prev_hash":"","rules":{rules},"scan_id":"{scan}","seq":{seq},"ts":"{ts}",'
                         f'"url_host":"www.example.com","value_hashes":[],"verdict":"{verdict}","versions":{{}}}}')
            out.append(f"laptop-{who}\t{seq}\t{event_id}\t{ts}\t{kind}\t{common}\t{verdict}\t{cats}\t{rules}\t{{}}\t"
                       f"{found}\t[]\tfalse\t{act or chr(92) + 'N'}\t{why or chr(92) + 'N'}\t{details}\t{{}}\t\t\t"
                       f"{canonical}")
    return "\n".join(out) + "\n"


def seed_postgres(events: int) -> tuple[object, str]:
    """A throwaway cluster holding `events` synthetic events; returns (server, url)."""
    import psycopg
    from sink_servers import Postgres, postgres_bin_dir

    from companion.audit.sinks.pg_schema import DDL, ensure_schema
    from companion.central import short_search

    server = Postgres(postgres_bin_dir()).start()
    url = server.create_database("bench")
    posts = int(events / 1.45)
    start_us = int((datetime.now(timezone.utc) - timedelta(days=365)).timestamp() * 1e6)
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET maintenance_work_mem = '512MB'")
        conn.execute("ALTER SYSTEM SET max_wal_size = '8GB'")
        conn.execute("SELECT pg_reload_conf()")
        conn.execute(DDL)
        listed = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'postguard_events' " \
                 "AND indexname NOT LIKE '%%pkey' AND indexname NOT LIKE '%%key'"
        indexes = conn.execute(listed).fetchall()
        for name, _ in indexes:  # built once after the load, not row by row
            conn.execute(f"DROP INDEX {name}")
        step = 100_000
        with conn.cursor().copy(f"COPY postguard_events ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy:
            for lo in range(1, posts + 1, step):
                copy.write(_rows(posts, lo, min(posts, lo + step - 1), start_us))
                if lo % 1_000_000 == 1:
                    print(f"  copied posts up to {min(posts, lo + step - 1):,} ({time.perf_counter() - started:.0f} s)",
                          flush=True)
        loaded = time.perf_counter()
        for _, definition in indexes:
            conn.execute(definition)
        conn.execute("VACUUM ANALYZE postguard_events")
        indexed = time.perf_counter()
    with psycopg.connect(url) as conn:
        notes = ensure_schema(conn)  # the review tables and search indexes, as on an existing store
    reviewed = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        short_search.ensure(conn)  # the central service's index for one- and two-character searches, as init-db
        shorts = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        total = conn.execute("SELECT count(*) FROM postguard_events").fetchone()[0]
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    print(f"PostgreSQL: {total:,} events ({posts:,} posts, 2,000 people, a year), {size / 1e9:.1f} GB in all; "
          f"COPY {loaded - started:.0f} s, the store's indexes {indexed - loaded:.0f} s, review tables and search "
          f"indexes {reviewed - indexed:.0f} s, the short-search index {shorts - reviewed:.0f} s"
          f"{'; ' + '; '.join(notes) if notes else ''}", flush=True)
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
