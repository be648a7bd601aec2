"""Benchmark: adding the review page's tables and indexes to a store that has events, while a
laptop keeps inserting, the way the first start after an upgrade does (companion/audit/sinks/
pg_review_tables.py), against the earlier way (one transaction: plain CREATE INDEX and
`postguard_rebuild_review()`, which hold inserts back until they are done).

    .venv/bin/python bench/bench_review_tables_build.py [--events 300000]

A throwaway cluster loaded with COPY (bench_review_tool.py's rows), then each way in turn on the
same events (the first's tables, trigger and indexes dropped before the second): its wall clock,
and the latency of one-event inserts sent every 0.1 s meanwhile (the longest, and how many took
over a second).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "companion"))
sys.path.insert(0, str(REPO / "bench"))


def load(events: int):
    import psycopg
    from bench_review_tool import COPY_COLUMNS, _rows
    from sink_servers import Postgres, postgres_bin_dir

    from companion.audit.sinks.pg_schema import DDL

    server = Postgres(postgres_bin_dir()).start()
    url = server.create_database("bench")
    posts = int(events / 1.45)
    start_us = int((datetime.now(timezone.utc) - timedelta(days=365)).timestamp() * 1e6)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(DDL)
        with conn.cursor().copy(f"COPY postguard_events ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy:
            for lo in range(1, posts + 1, 100_000):
                copy.write(_rows(posts, lo, min(posts, lo + 99_999), start_us))
        conn.execute("VACUUM ANALYZE postguard_events")
        total = conn.execute("SELECT count(*) FROM postguard_events").fetchone()[0]
    return server, url, total


def the_earlier_way(conn) -> None:
    """As before 2026-12-05: one transaction for the tables, the trigger, the rebuild and the plain
    indexes the page needs, then the trigram indexes."""
    from companion.audit.sinks import pg_review_tables as t

    with conn.transaction():
        conn.execute(f"{t.TABLES}{t.TRIGGER}{t.REBUILD}")
        for sql in t.EVENT_INDEXES.values():
            conn.execute(sql.replace("CONCURRENTLY ", ""))
        conn.execute("SELECT postguard_rebuild_review()")
    with conn.transaction():
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for sql in t.search_index_sql().values():
            conn.execute(sql.replace("CONCURRENTLY ", ""))


def drop_all(conn) -> None:
    from companion.audit.sinks import pg_review_tables as t

    conn.execute("DROP TRIGGER IF EXISTS postguard_events_review ON postguard_events")
    conn.execute(f"DROP TABLE IF EXISTS {', '.join(t.REVIEW_TABLES)}, {t.BACKFILL}")
    for name in [*t.EVENT_INDEXES, *t.search_index_sql()]:
        conn.execute(f"DROP INDEX IF EXISTS {name}")


def insert_meanwhile(url: str, stop: threading.Event, latencies: list[float], first_seq: int) -> None:
    """One event every 0.1 s, as a laptop's forwarder would send them, each timed."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        seq = first_seq
        while not stop.wait(0.1):
            seq += 1
            started = time.perf_counter()
            conn.execute("INSERT INTO postguard_events (laptop_id, seq, event_id, ts, kind, os_user, verdict, "
                         "prev_hash, hash, canonical) VALUES ('bench-writer', %s, %s, %s, 'check', 'writer', "
                         "'allow', '', '', '{}')",
                         [seq, f"bench-writer-{seq}", datetime.now(timezone.utc).isoformat()])
            latencies.append(time.perf_counter() - started)


def timed(url: str, name: str, build, first_seq: int) -> None:
    import psycopg

    stop, latencies = threading.Event(), []
    writer = threading.Thread(target=insert_meanwhile, args=(url, stop, latencies, first_seq))
    writer.start()
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '256MB'")
        build(conn)
    took = time.perf_counter() - started
    stop.set()
    writer.join()
    slow = sum(1 for s in latencies if s > 1)
    print(f"{name}: {took:.0f} s; {len(latencies)} inserts meanwhile, the longest {max(latencies, default=0):.1f} s, "
          f"{slow} over 1 s", flush=True)


def main() -> None:
    import psycopg

    from companion.audit.sinks.pg_review_tables import ensure_review_tables, review_tables_ready

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300_000)
    args = parser.parse_args()
    server, url, total = load(args.events)
    try:
        print(f"{total:,} events loaded", flush=True)

        def now(conn):
            assert ensure_review_tables(conn) == [] and review_tables_ready(conn)

        timed(url, "concurrent indexes, counts in batches (now)", now, 10_000_000)
        with psycopg.connect(url, autocommit=True) as conn:
            drop_all(conn)
        timed(url, "one transaction, plain indexes (before)", the_earlier_way, 20_000_000)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
