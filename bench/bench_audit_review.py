"""Benchmark: the review page over a year of a sales team's audit events.

Writes N synthetic chained events (default 50,000 over 365 days) into a real SQLite
store, then times whole page renders through the Flask app (reader queries, chart,
template): the unfiltered first page, filtered first pages, a deep "older" page, an
event's detail, a filtered CSV export, and the chain walk (`verify`), cold and cached.

Run: .venv/bin/python bench/bench_audit_review.py [--events 50000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "companion"))

from test_review_scale import write_synthetic_log  # noqa: E402

from companion.audit import AuditStore  # noqa: E402
from companion.audit.sqlite_reader import SqliteAuditReader  # noqa: E402
from companion.config import Settings  # noqa: E402
from companion.review import create_review_app  # noqa: E402
from companion.review.auth import admin_token  # noqa: E402

PAGES = [
    ("first page, no filter", "/audit"),
    ("user + category", "/audit?user=li.wei&category=pricing"),
    ("platform + verdict", "/audit?platform=instagram&verdict=block"),
    ("decision = posted anyway", "/audit?action=overridden"),
    ("last 30 days", "/audit?from={d30}"),
    ("a whole year, one category", "/audit?from={d365}&category=credentials"),
    ("deep older page", "/audit?before=1000"),
    ("event detail", "/audit/events/25000"),
    ("CSV export, platform=linkedin", "/audit/export.csv?platform=linkedin"),
]


def timed(client, url: str, repeat: int) -> tuple[float, int]:
    """Median milliseconds over `repeat` requests, and the response size."""
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        size = len(body)
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    from datetime import date, timedelta

    data_dir = Path(tempfile.mkdtemp(prefix="pg-review-bench-")) / "data"
    started = time.perf_counter()
    write_synthetic_log(data_dir, args.events)
    print(f"wrote {args.events:,} chained events in {time.perf_counter() - started:.1f} s "
          f"({(data_dir / 'audit.sqlite3').stat().st_size / 1e6:.1f} MB)")
    store = AuditStore.open(data_dir)
    reader = SqliteAuditReader(store)
    client = create_review_app(reader, Settings(data_dir=data_dir)).test_client()
    client.post("/audit/login", data={"token": admin_token(data_dir)[0]}, headers={"Origin": "http://localhost"})

    started = time.perf_counter()
    reader.verify()
    print(f"verify (full chain walk, cold): {(time.perf_counter() - started) * 1000:.0f} ms")
    started = time.perf_counter()
    reader.verify()
    print(f"verify (nothing changed, cached): {(time.perf_counter() - started) * 1000:.2f} ms")
    today = date.today()
    fill = {"d30": (today - timedelta(days=29)).isoformat(), "d365": (today - timedelta(days=364)).isoformat()}
    print(f"{'page':<32} {'median ms':>10} {'bytes':>10}")
    for name, url in PAGES:
        ms, size = timed(client, url.format(**fill), args.repeat)
        print(f"{name:<32} {ms:>10.1f} {size:>10,}")
    reader.close()
    store.close()


if __name__ == "__main__":
    main()
