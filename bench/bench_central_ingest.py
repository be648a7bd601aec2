"""Central service ingest: how many audit events a second one `postguard central serve` stores.

    .venv/bin/python bench/bench_central_ingest.py [--laptops 50] [--batches 20] [--batch 100]

Starts a throwaway PostgreSQL (fsync off, like the tests) and one central service on loopback,
enrolls `--laptops` laptops, then sends from all of them at once (one thread each) `--batches`
batches of `--batch` chained events, as their spools would after an outage. Reports stored
events a second, and the median and p95 time of one batch round trip. Then the steady case:
one-event batches, as laptops send while people work.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "companion"))

from central_servers import running_central  # noqa: E402
from sink_servers import Postgres, postgres_bin_dir  # noqa: E402

from companion.audit.chain import event_hash  # noqa: E402
from companion.audit.events import EVENT_FIELDS  # noqa: E402
from companion.central.client import CentralClient  # noqa: E402

GENESIS = "0" * 64


def chained_events(count: int, host: str) -> list[dict]:
    """`count` check events of one laptop, linked like a real audit log."""
    events, prev = [], GENESIS
    for seq in range(1, count + 1):
        event = dict.fromkeys(EVENT_FIELDS)
        event.update(seq=seq, event_id=f"{host}-{seq:08d}", ts=f"2026-12-04T09:{seq // 60 % 60:02d}:{seq % 60:02d}.000000Z",
                     kind="check", os_user="bench", host=host, platform="linkedin", scan_id=f"s{seq}",
                     verdict="warn", categories=["pricing"], rules=["pricing.unit_price"], counts={"pricing": 1},
                     excerpts=[{"category": "pricing", "rule": "pricing.unit_price", "excerpt": "USD *.**/pc",
                                "source": "text", "image_index": None}],
                     value_hashes=[], ocr_incomplete=False, versions={"postguard": "bench"}, prev_hash=prev)
        event["hash"] = prev = event_hash(event, prev)
        events.append(event)
    return events


def send_all(clients, events_per_laptop: list[list[dict]], batch: int) -> list[float]:
    timings: list[float] = []
    lock = threading.Lock()

    def run(client, events):
        for start in range(0, len(events), batch):
            began = time.perf_counter()
            client.send_events(f"laptop-{id(client)}", events[start:start + batch])
            with lock:
                timings.append(time.perf_counter() - began)

    threads = [threading.Thread(target=run, args=pair) for pair in zip(clients, events_per_laptop)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def report(label: str, total: int, elapsed: float, timings: list[float]) -> None:
    timings = sorted(timings)
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(f"{label}: {total} events in {elapsed:.1f} s = {total / elapsed:,.0f} events/s; "
          f"batch round trip median {statistics.median(timings) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--laptops", type=int, default=50)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        sys.exit("PostgreSQL server binaries not found (Debian package postgresql)")
    server = Postgres(bin_dir).start()
    try:
        with tempfile.TemporaryDirectory() as work, running_central(server.create_database("bench"), Path(work)) as central:
            code = central.enroll_code(uses=args.laptops * 2)
            clients = []
            for index in range(args.laptops):
                client = CentralClient(central.url, Path(work) / f"laptop-{index}")
                client.enroll(code, host=f"BENCH-{index:04d}", os_user="bench")
                clients.append(client)
            backlog = [chained_events(args.batches * args.batch, f"BENCH-{i:04d}") for i in range(args.laptops)]
            began = time.perf_counter()
            timings = send_all(clients, backlog, args.batch)
            report(f"backlog, {args.laptops} laptops x {args.batches} batches of {args.batch}",
                   args.laptops * args.batches * args.batch, time.perf_counter() - began, timings)
            steady = [chained_events(20, f"STEADY-{i:04d}") for i in range(args.laptops)]
            for client in clients:  # fresh laptop ids for the steady round
                client.send_events = (lambda c: (lambda laptop_id, events: CentralClient.send_events(
                    c, "steady-" + laptop_id, events)))(client)
            began = time.perf_counter()
            timings = send_all(clients, steady, 1)
            report(f"steady, {args.laptops} laptops x 20 one-event batches", args.laptops * 20,
                   time.perf_counter() - began, timings)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
