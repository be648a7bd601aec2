"""Benchmark: compliance reviewing the whole sales force at the central service, over HTTP.

    .venv/bin/python bench/bench_central_review.py seed [--events 10000000] [--url postgresql://...]
    .venv/bin/python bench/bench_central_review.py prepare --url postgresql://...
    .venv/bin/python bench/bench_central_review.py short-index --url postgresql://...
    .venv/bin/python bench/bench_central_review.py measure --url postgresql://... [--repeat 5] [--only search]

`seed` starts a throwaway PostgreSQL (tests/companion/sink_servers.py; fsync off) and loads
`--events` generated events into the central store with COPY: 2,000 people, a year, 55 % clean
checks, a decision after every flagged check (the shape bench_review_tool.py seeds with
generate_series). Indexes are dropped for the load and built once after it. It prints the URL
and leaves the cluster running, so `measure` can be run again and again. `prepare` then adds what
`central init-db` adds to an existing store (the review tables, rebuilt from the events, and the
search indexes), timed. `short-index` times the index for one- and two-character searches built
as the service builds it (concurrently) and as it used to (holding inserts back), each while a
laptop's posts are inserted, and says how long those inserts took.

`measure` starts a real `postguard central serve` on loopback over that database, signs in as
a reviewer through /signin, and times whole HTTP round trips with `requests` (median of
`--repeat` after one warm-up): filters with their first page, the 90-day chart, and the CSV
export of about 1 million rows, sampling the service's resident memory while it streams.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "companion"))

PEOPLE = 2000
CATEGORIES = ("contact_pii", "client_confidential", "pricing", "unreleased_product", "credentials",
              "sensitive_topic", "disparagement", "competitor")
RULES = ("contact.phone", "client.named", "pricing.unit_price", "product.unreleased", "credentials.password",
         "topic.politics", "tone.insult", "competitor.named")
ACTIONS = ("posted", "edited", "cancelled", "overridden", "redacted")
PLATFORMS = ("linkedin", "facebook", "instagram", "other")
COPY_COLUMNS = ("laptop_id", "seq", "event_id", "ts", "kind", "os_user", "host", "platform", "scan_id", "url_host",
                "verdict", "categories", "rules", "counts", "excerpts", "value_hashes", "ocr_incomplete", "action",
                "justification", "details", "versions", "prev_hash", "hash", "canonical")


def _copy_text(value) -> str:
    """A value in COPY's text format (the generated values hold no tab, newline or backslash)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def post_events(p: int, posts: int, start: datetime) -> list[dict]:
    """The check of post `p` and, when it found something, the decision 40 s later."""
    flagged = (p * 2654435761) % 100 < 45
    category, rule = CATEGORIES[(p // 3) % 8], RULES[(p // 3) % 8]
    action = ACTIONS[(p // 11) % 5]
    at = start + timedelta(days=365 * p / posts)
    person = p % PEOPLE
    base = {"os_user": f"user{person}", "host": f"HOST-{person}", "platform": PLATFORMS[(p // 7) % 4],
            "scan_id": f"s{p:09d}", "url_host": "www.example.com", "counts": {}, "value_hashes": [],
            "ocr_incomplete": False, "details": {"identity": f"user{person}@example.com"}, "versions": {},
            "prev_hash": "", "hash": ""}
    check = dict(base, seq=p, event_id=f"c{p:09d}", ts=at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), kind="check",
                 verdict=("block" if category == "credentials" else "warn") if flagged else "allow",
                 categories=[category] if flagged else [], rules=[rule] if flagged else [],
                 excerpts=[{"category": category, "rule": rule, "excerpt": "only USD #.## per unit",
                            "source": "text", "image_index": None}] if flagged else [],
                 action=None, justification=None)
    if not flagged:
        return [check]
    decision = dict(base, seq=posts + p, event_id=f"d{p:09d}",
                    ts=(at + timedelta(seconds=40)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), kind="decision",
                    verdict=check["verdict"], categories=[category], rules=[rule], excerpts=[], action=action,
                    justification="Customer already published this price list" if action == "overridden" else None)
    return [check, decision]


def copy_lines(lo: int, hi: int, posts: int, start: datetime):
    """COPY text lines for posts lo..hi-1, in chunks of about 1 MB."""
    chunk = []
    for p in range(lo, hi):
        for event in post_events(p, posts, start):
            laptop = f"laptop-{p % PEOPLE}"
            fields = [laptop, *(event[c] for c in COPY_COLUMNS[1:-1])]
            fields.append(json.dumps(event, separators=(",", ":"), sort_keys=True))
            chunk.append("\t".join(_copy_text(v) for v in fields))
        if len(chunk) >= 2000:
            yield ("\n".join(chunk) + "\n").encode("utf-8")
            chunk = []
    if chunk:
        yield ("\n".join(chunk) + "\n").encode("utf-8")


def seed(url: str, events: int) -> None:
    """Load `events` generated events into the central store at `url` with COPY."""
    import psycopg

    from companion.audit.sinks.pg_schema import DDL

    posts = int(events / 1.45)
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=365)
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(DDL)  # the events table only: the review tables and their trigger come in `prepare`
        listed = ("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'postguard_events' "
                  "AND indexname NOT LIKE '%%pkey' AND indexname NOT LIKE '%%key'")
        indexes = conn.execute(listed).fetchall()
        for name, _ in indexes:  # built once after the load, not row by row
            conn.execute(f"DROP INDEX {name}")
        step = 500_000
        for lo in range(0, posts, step):
            hi = min(posts, lo + step)
            with conn.cursor() as cur, cur.copy(f"COPY postguard_events ({', '.join(COPY_COLUMNS)}) FROM STDIN") as cp:
                for block in copy_lines(lo, hi, posts, start):
                    cp.write(block)
            print(f"  posts {lo:,}-{hi - 1:,} copied ({time.perf_counter() - started:.0f} s)", flush=True)
        copied = time.perf_counter() - started
        conn.execute("SET maintenance_work_mem = '1GB'")
        for name, definition in indexes:
            conn.execute(definition)
            print(f"  index {name} built ({time.perf_counter() - started:.0f} s)", flush=True)
        conn.execute("VACUUM ANALYZE postguard_events")
        total = conn.execute("SELECT count(*) FROM postguard_events").fetchone()[0]
        size = conn.execute("SELECT pg_total_relation_size('postguard_events')").fetchone()[0]
    print(f"seeded {total:,} events ({posts:,} posts, {PEOPLE:,} people, a year), {size / 1e9:.1f} GB: "
          f"COPY {copied:.0f} s ({total / copied:,.0f} events/s), with indexes {time.perf_counter() - started:.0f} s",
          flush=True)


def prepare(url: str) -> None:
    """What the service's store holds beyond the events: the review tables (rebuilt from the events)
    and the search indexes, as `central init-db` makes them on an existing store; timed."""
    import psycopg

    from companion.central import short_search
    from companion.central.schema import ensure_central_schema

    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        ensure_central_schema(conn)
        tables = time.perf_counter()
        short_search.build(conn)  # as init-db: concurrently, and waited for
        conn.execute("VACUUM ANALYZE")
    print(f"review tables rebuilt and trigram indexes built in {tables - started:.0f} s, the short-search index "
          f"and VACUUM ANALYZE {time.perf_counter() - tables:.0f} s", flush=True)


def _write_posts(url: str, stop: threading.Event, latencies: list[tuple[float, float]], every_s: float = 0.1) -> None:
    """A laptop's posts, one transaction each (a check, and a decision when flagged), every `every_s`;
    when each insert started and the milliseconds it took go into `latencies`."""
    import psycopg

    columns = ", ".join(COPY_COLUMNS)
    insert = f"INSERT INTO postguard_events ({columns}) VALUES ({', '.join(['%s'] * len(COPY_COLUMNS))})"
    run = f"{time.time_ns()}"
    with psycopg.connect(url, autocommit=True) as conn:
        seq = 0
        while not stop.is_set():
            rows = []
            for event in post_events(seq, 10**9, datetime.now(timezone.utc) - timedelta(days=365)):
                seq += 1
                event = dict(event, seq=seq, event_id=f"w{run}-{seq}", scan_id=f"w{run}-{seq // 2}")
                values = [f"bench-writer-{run}", *(event[c] for c in COPY_COLUMNS[1:-1])]
                values = [json.dumps(v) if isinstance(v, (list, dict)) else v for v in values]
                rows.append([*values, json.dumps(event, separators=(",", ":"), sort_keys=True)])
            started = time.perf_counter()
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(insert, rows)
            latencies.append((started, (time.perf_counter() - started) * 1000))
            stop.wait(every_s)


def short_index(url: str) -> None:
    """Build the short-search index as the service now does (concurrently) and as it did before
    (CREATE INDEX, which holds inserts back), each while a laptop's posts are inserted every 0.1 s;
    prints each build's time and how long the inserts took meanwhile. Leaves the index built."""
    import psycopg

    from companion.central import short_search

    blocking = short_search.CREATE_INDEX.replace("CONCURRENTLY ", "")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        short_search.ensure_pieces_function(conn)
        for name, build in (("CREATE INDEX (before)", lambda: conn.execute(blocking)),
                            ("CREATE INDEX CONCURRENTLY (now)", lambda: short_search.build(conn))):
            conn.execute(f"DROP INDEX IF EXISTS {short_search.INDEX}")
            stop, latencies = threading.Event(), []
            writer = threading.Thread(target=_write_posts, args=(url, stop, latencies))
            writer.start()
            time.sleep(2)
            started = time.perf_counter()
            build()
            ended = time.perf_counter()
            time.sleep(1)
            stop.set()
            writer.join()
            during = sorted(ms for at, ms in latencies if started <= at <= ended)
            quiet = [ms for at, ms in latencies if at < started]
            p99 = during[int(len(during) * 0.99)] if during else 0
            print(f"{name}: built in {ended - started:.0f} s; {len(during)} posts inserted meanwhile, insert median "
                  f"{statistics.median(during or [0]):,.0f} ms, p99 {p99:,.0f} ms, longest {max(during or [0]):,.0f} ms "
                  f"(before the build: median "
                  f"{statistics.median(quiet or [0]):,.0f} ms)", flush=True)
        assert short_search.index_state(conn) == "ready"


def pages(today) -> list[tuple[str, str]]:
    d30, d90, d365 = ((today - timedelta(days=n - 1)).isoformat() for n in (30, 90, 365))
    return [
        ("posts, first page (flagged, newest first)", "/audit/posts"),
        ("posts incl. clean, first page", "/audit/posts?clean=1"),
        ("posts of one person", "/audit/posts?person=user7%40example.com"),
        ("posts, platform", "/audit/posts?platform=facebook"),
        ("posts, category + platform, last 30 days", f"/audit/posts?category=pricing&platform=linkedin&from={d30}"),
        ("posts, rule", "/audit/posts?rule=pricing.unit_price"),
        ("posts, outcome = overridden", "/audit/posts?outcome=overridden"),
        ("posts, sorted by outcome, last 30 days", f"/audit/posts?sort=outcome&from={d30}"),
        ("search a person", "/audit/posts?q=user1234"),
        ("search a justification", "/audit/posts?q=already+published"),
        ("search two characters: a name no one has (王伟)", "/audit/posts?q=%E7%8E%8B%E4%BC%9F"),
        ("search two characters: part of many names (r7)", "/audit/posts?q=r7"),
        ("search two characters: part of a rule id (pu)", "/audit/posts?q=pu"),
        ("search two characters: part of a reason (Cu)", "/audit/posts?q=Cu"),
        ("search two characters that match nothing (zq)", "/audit/posts?q=zq"),
        ("search a category label: Pricing", "/audit/posts?q=Pricing"),
        ("search a category label: 价格", "/audit/posts?q=%E4%BB%B7%E6%A0%BC"),
        ("search a category label: 个人数据", "/audit/posts?q=%E4%B8%AA%E4%BA%BA%E6%95%B0%E6%8D%AE"),
        ("search a category label: Unreleased", "/audit/posts?q=Unreleased"),
        ("event log, first page + count + chart (default range)", "/audit"),
        ("event log, one category", "/audit?category=credentials"),
        ("event log + chart, 90 days", f"/audit?from={d90}"),
        ("team overview, 90 days", f"/audit/people?from={d90}"),
        ("summary of one person, a year", f"/audit/people/user7%40example.com?from={d365}"),
        ("summary of one person, 90 days", f"/audit/people/user7%40example.com?from={d90}"),
    ]


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def timed_export(session, url: str, pid: int) -> tuple[int, float, int, int]:
    """Stream one export: rows, seconds, the service's RSS before and at its highest (KiB)."""
    before, peak, done = rss_kib(pid), [0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kib(pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started, rows = time.perf_counter(), 0
    with session.get(url, stream=True, timeout=3600) as response:
        assert response.status_code == 200, (url, response.status_code)
        for chunk in response.iter_content(chunk_size=1 << 16):
            rows += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    return rows - 1, elapsed, before, peak[0]


def measure(url: str, repeat: int, only: str | None = None) -> None:
    """Time the review pages and exports over HTTP at a real `central serve` on `url`'s store
    (`only`: just the pages whose label holds that text, no exports)."""
    from central_servers import Central, postguard

    work = Path(tempfile.mkdtemp(prefix="bench-central-review-"))
    postguard("central", "keygen", "--key-dir", str(work / "keys"))
    central = Central(url, work / "keys", work / "central.log").start()
    try:
        central.account("bench")
        session = central.session("bench")
        today = datetime.now(timezone.utc).date()
        print(f"| page (HTTP, median of {repeat} after a warm-up) | ms |\n|---|---|", flush=True)
        for label, path in pages(today):
            if only and only not in label:
                continue
            session.get(f"{central.url}{path}", timeout=600)
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = session.get(f"{central.url}{path}", timeout=600)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, response.status_code, response.text[-300:])
            print(f"| {label} | {statistics.median(times):,.0f} |", flush=True)
        for days in (() if only else (4, 37)):
            since = (today - timedelta(days=days - 1)).isoformat()
            rows, elapsed, before, peak = timed_export(session, f"{central.url}/audit/export.csv?from={since}",
                                                       central.process.pid)
            print(f"CSV export, {days} days: {rows:,} rows in {elapsed:.0f} s ({rows / elapsed:,.0f} rows/s); "
                  f"service RSS {before / 1024:.0f} MiB before, {peak / 1024:.0f} MiB at most", flush=True)
    finally:
        central.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("seed")
    s.add_argument("--events", type=int, default=10_000_000)
    s.add_argument("--url", help="load into this database instead of a new throwaway cluster")
    p = sub.add_parser("prepare")
    p.add_argument("--url", required=True)
    sub.add_parser("short-index").add_argument("--url", required=True)
    m = sub.add_parser("measure")
    m.add_argument("--url", required=True)
    m.add_argument("--repeat", type=int, default=5)
    m.add_argument("--only", help="time only the pages whose label holds this text (no exports)")
    args = parser.parse_args()
    if args.command == "seed":
        url = args.url
        if url is None:
            from sink_servers import Postgres, postgres_bin_dir

            server = Postgres(postgres_bin_dir()).start()
            url = server.create_database("central")
            print(f"cluster in {server.dir} (stop: pg_ctl -D {server.data} stop, as {server.user or 'you'})",
                  flush=True)
        print(f"url: {url}", flush=True)
        seed(url, args.events)
        return
    if args.command == "prepare":
        prepare(args.url)
        return
    if args.command == "short-index":
        short_index(args.url)
        return
    measure(args.url, args.repeat, args.only)


if __name__ == "__main__":
    main()
