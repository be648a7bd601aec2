"""Benchmark: `postguard central serve` started on a store that lacks the review page's tables and
indexes (companion/central/store_build.py): how soon it listens and answers /health, how long the
background build takes, and how long `central init-db` (the build waited for, as serve did before
2026-12-05) takes on the same events.

    .venv/bin/python bench/bench_central_serve_start.py [--events 300000]

A throwaway cluster loaded with COPY (bench_review_tool.py's rows, as bench_review_tables_build.py);
the review tables, their indexes and the short-search index dropped before each run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "companion"))
sys.path.insert(0, str(REPO / "bench"))


def drop_everything(url: str) -> None:
    import psycopg
    from bench_review_tables_build import drop_all

    from companion.central import short_search

    with psycopg.connect(url, autocommit=True) as conn:
        drop_all(conn)
        conn.execute(f"DROP INDEX IF EXISTS {short_search.INDEX}")


def health(url: str) -> dict | None:
    import requests

    try:
        return requests.get(f"{url}/health", timeout=5).json()["review_tables"]
    except (requests.RequestException, ValueError):
        return None


def serve(db_url: str, key_dir: Path, log: Path) -> None:
    from central_servers import POSTGUARD, cli_env
    from sink_servers import free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    with log.open("ab") as out:
        process = subprocess.Popen([POSTGUARD, "central", "serve", "--db", db_url, "--port", str(port),
                                    "--key-dir", str(key_dir)], stdout=out, stderr=subprocess.STDOUT, env=cli_env())
    try:
        first = None
        while first is None:
            first = health(url)
            time.sleep(0.05)
        answered = time.perf_counter() - started
        print(f"serve: /health answered after {answered:.1f} s ({first['state']}, {first['percent']}%)", flush=True)
        last = first
        while last is None or last["state"] != "ready":
            time.sleep(0.5)
            last = health(url) or last
            if last["state"] == "failed":
                raise SystemExit(f"the build failed: {last['problem']}")
        print(f"serve: the background build was done after {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        process.terminate()
        process.wait(30)


def main() -> None:
    import psycopg
    from bench_review_tables_build import load
    from central_servers import POSTGUARD, cli_env, postguard

    from companion.central.schema import ensure_central_schema

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300_000)
    args = parser.parse_args()
    server, url, total = load(args.events)
    tmp = Path(tempfile.mkdtemp(prefix="bench-serve-start-"))
    try:
        print(f"{total:,} events loaded", flush=True)
        key_dir = tmp / "keys"
        postguard("central", "keygen", "--key-dir", str(key_dir))
        with psycopg.connect(url, autocommit=True) as conn:  # the service's own tables, not the review page's
            ensure_central_schema(conn, review_tables=False)
        serve(url, key_dir, tmp / "serve.log")
        drop_everything(url)
        started = time.perf_counter()
        subprocess.run([POSTGUARD, "central", "init-db", "--db", url], check=True, capture_output=True, timeout=7200,
                       env=cli_env())
        print(f"init-db (the build waited for; serve listened only after it before): "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
