"""Forwarding benchmark: what forwarding costs a check, how fast a backlog drains, what is lost.

    .venv/bin/python bench/bench_forwarding.py [--events 400] [--backlog 5000] [--runs 5]

1. `record_check` latency (what a check waits for) with forwarding off, to a live rsyslog,
   to a collector that is down, and to one that holds connections open. Forwarding runs
   on background threads, so all four should be the same.
2. How fast a backlog of spooled events drains to rsyslog over TCP and TLS, and to
   PostgreSQL.
3. rsyslog stopped twice mid-stream: events lost or duplicated by the confirmed delivery
   (syslog.py), and by a sender that counts a successful send() as delivered.
4. The central reader (what `postguard audit serve` pages do) over a year from 4 laptops.

Uses Debian's rsyslog, rsyslog-gnutls and postgresql, started on loopback like the tests.
"""

from __future__ import annotations

import argparse
import collections
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "companion"))

from sink_servers import Postgres, Rsyslog, delivered_seqs, free_port, make_tls_certs, \
    postgres_bin_dir, record_sample_events  # noqa: E402

from companion.audit import AuditStore  # noqa: E402
from companion.audit.sinks import Backoff, start_forwarding  # noqa: E402
from companion.audit.sinks.base import SinkUnavailable  # noqa: E402
from companion.audit.sinks.rfc5424 import format_message, octet_frame  # noqa: E402
from companion.config import Settings  # noqa: E402

FAST = {"backoff": Backoff(0.05, 0.4), "poll_s": 0.5}


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    return (f"median {statistics.median(ordered) * 1000:.2f} ms, "
            f"p95 {ordered[int(len(ordered) * 0.95)] * 1000:.2f} ms")


def time_checks(workdir: Path, events: int, **settings) -> str:
    """Median and p95 of record_check with the given forwarding settings."""
    store = AuditStore.open(workdir)
    forwarder = start_forwarding(Settings(data_dir=workdir, **settings), store, **FAST) if settings else None
    samples = []
    for _ in range(events):
        started = time.perf_counter()
        record_sample_events(store, 1)
        samples.append(time.perf_counter() - started)
    if forwarder:
        forwarder.stop(timeout_s=1)
    store.close()
    return percentiles(samples)


def holding_collector() -> int:
    """A collector that accepts, reads and never closes: every batch waits for its timeout."""
    listener = socket.create_server(("127.0.0.1", 0))

    def read_forever(conn):
        while conn.recv(65536):
            pass
        threading.Event().wait()  # EOF read, but the connection is never closed

    def serve():
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=read_forever, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1]


def bench_check_latency(tmp: Path, events: int) -> None:
    rsyslog = Rsyslog(tmp / "live").start()
    try:
        print("record_check latency (what a check waits for):")
        print(f"  forwarding off        {time_checks(tmp / 'off', events)}")
        print(f"  live rsyslog          {time_checks(tmp / 'live-data', events, syslog_target=f'tcp://127.0.0.1:{rsyslog.port}')}")
        print(f"  collector down        {time_checks(tmp / 'down', events, syslog_target=f'tcp://127.0.0.1:{free_port()}')}")
        print(f"  collector holding     {time_checks(tmp / 'hold', events, syslog_target=f'tcp://127.0.0.1:{holding_collector()}')}")
    finally:
        rsyslog.stop()


def drain(tmp: Path, name: str, backlog: int, **settings) -> None:
    """Spool `backlog` events with no forwarder, then time how long forwarding takes to send them."""
    store = AuditStore.open(tmp / name)
    record_sample_events(store, backlog)
    started = time.perf_counter()
    forwarder = start_forwarding(Settings(data_dir=tmp / name, **settings), store, **FAST)
    assert forwarder.wait_until_delivered(600)
    elapsed = time.perf_counter() - started
    forwarder.stop()
    store.close()
    print(f"  {name:<22}{backlog} events in {elapsed:.2f} s ({backlog / elapsed:,.0f} events/s)")


def bench_drain(tmp: Path, backlog: int) -> None:
    print(f"draining a backlog of {backlog} events (batches of 200):")
    rsyslog = Rsyslog(tmp / "drain-tcp").start()
    certs = make_tls_certs(tmp / "certs")
    tls = Rsyslog(tmp / "drain-tls", tls=certs).start()
    try:
        drain(tmp, "rsyslog TCP", backlog, syslog_target=f"tcp://127.0.0.1:{rsyslog.port}")
        drain(tmp, "rsyslog TLS", backlog, syslog_target=f"tls://127.0.0.1:{tls.port}", syslog_ca_file=certs["ca"])
    finally:
        rsyslog.stop()
        tls.stop()
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        print("  PostgreSQL: not installed, skipped")
        return
    pg = Postgres(bin_dir).start()
    try:
        drain(tmp, "PostgreSQL", backlog, central_db=pg.create_database("bench"))
    finally:
        pg.stop()


class SendIsDelivery:
    """The naive sender: one long connection, a batch counts as delivered once send() returns."""

    name = "syslog"

    def __init__(self, target, **_):
        self.target, self.sock = target, None

    def describe(self):
        return "naive"

    def deliver(self, events, laptop_id):
        payload = b"".join(octet_frame(format_message(e, laptop_id=laptop_id)) for e in events)
        try:
            if self.sock is None:
                self.sock = socket.create_connection((self.target.host, self.target.port), timeout=5)
            self.sock.sendall(payload)
        except OSError as exc:
            self.sock = None
            raise SinkUnavailable(str(exc)) from None

    def close(self):
        pass


def stop_mid_stream(tmp: Path, total: int = 2000) -> tuple[int, int]:
    """Record `total` events while rsyslog is stopped and restarted twice; (lost, duplicated)."""
    rsyslog = Rsyslog(tmp / "rs").start()
    store = AuditStore.open(tmp / "data")
    forwarder = start_forwarding(Settings(data_dir=tmp / "data", syslog_target=f"tcp://127.0.0.1:{rsyslog.port}"),
                                 store, **FAST)
    def write():
        for _ in range(total):
            record_sample_events(store, 1)
            time.sleep(0.0005)

    writer = threading.Thread(target=write)
    writer.start()
    for fraction in (4, 2):
        while len(rsyslog.records()) < total // fraction:
            time.sleep(0.005)
        rsyslog.stop()
        time.sleep(0.3)
        rsyslog.start()
    writer.join()
    forwarder.wait_until_delivered(60)
    rsyslog.stop()  # what a SIEM has once the collector has shut down cleanly
    forwarder.stop(timeout_s=1)
    store.close()
    counts = collections.Counter(delivered_seqs(rsyslog.records()))
    return total - len(counts), sum(n - 1 for n in counts.values())


def bench_loss(tmp: Path, runs: int) -> None:
    import companion.audit.sinks.syslog as syslog

    print(f"rsyslog stopped twice mid-stream, {runs} runs of 2000 events (lost / duplicated per run):")
    confirmed = [stop_mid_stream(tmp / f"confirmed-{i}") for i in range(runs)]
    original = syslog.SyslogSink
    syslog.SyslogSink = SendIsDelivery
    try:
        naive = [stop_mid_stream(tmp / f"naive-{i}") for i in range(runs)]
    finally:
        syslog.SyslogSink = original
    print(f"  confirmed by close     {confirmed}")
    print(f"  send() = delivered     {naive}")


def timed(call, repeat: int = 7) -> float:
    """Median milliseconds of `call()`."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def bench_central(tmp: Path, events: int) -> None:
    """The central reader over `events` events from 4 laptops (a synthetic year each)."""
    from datetime import datetime, timedelta, timezone

    from test_review_scale import write_synthetic_log

    from companion.audit.pg_reader import PostgresAuditReader
    from companion.audit.query import EventFilter

    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        return
    pg = Postgres(bin_dir).start()
    try:
        url = pg.create_database("central")
        for laptop in range(4):
            data_dir = tmp / f"laptop-{laptop}"
            write_synthetic_log(data_dir, events // 4, seed=laptop)
            store = AuditStore.open(data_dir)
            forwarder = start_forwarding(Settings(data_dir=data_dir, central_db=url), store, **FAST)
            assert forwarder.wait_until_delivered(600)
            forwarder.stop()
            store.close()
        reader = PostgresAuditReader.open(url)
        now = datetime.now(timezone.utc)
        month = EventFilter(since=now - timedelta(days=30))
        narrow = EventFilter(user="li.wei", category="pricing")
        deep = reader.query(EventFilter(), limit=1, before_seq=None)[0]["seq"] - events // 2
        print(f"central reader over {events} events from 4 laptops (median ms):")
        print(f"  first page + count, no filter   {timed(lambda: (reader.query(EventFilter()), reader.count(EventFilter()))):.1f}")
        print(f"  user + category page + count    {timed(lambda: (reader.query(narrow), reader.count(narrow))):.1f}")
        print(f"  30-day chart                    {timed(lambda: reader.daily_counts(month)):.1f}")
        print(f"  year chart, one category        {timed(lambda: reader.daily_counts(EventFilter(category='pricing', since=now - timedelta(days=366)))):.1f}")
        print(f"  an older page deep in the log   {timed(lambda: reader.query(EventFilter(), before_seq=deep)):.1f}")
        print(f"  one event                       {timed(lambda: reader.event(deep)):.1f}")
        print(f"  verify, full walk               {timed(lambda: reader.verify_laptops(full=True), 3):.0f}")
        print(f"  verify, nothing new             {timed(reader.verify):.1f}")
        reader.close()
    finally:
        pg.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=400)
    parser.add_argument("--backlog", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--central", type=int, default=50_000, help="Events in the central reader benchmark.")
    parser.add_argument("--only", choices=["latency", "drain", "loss", "central"], default=None)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="postguard-bench-forward-"))
    parts = {"latency": lambda: bench_check_latency(tmp / "latency", args.events),
             "drain": lambda: bench_drain(tmp / "drain", args.backlog),
             "loss": lambda: bench_loss(tmp / "loss", args.runs),
             "central": lambda: bench_central(tmp / "central", args.central)}
    for name, run in parts.items():
        if args.only in (None, name):
            run()

if __name__ == "__main__":
    main()
