"""Rules reloads in one process: what each costs, and what the companion keeps after a few.

Builds the engine as `postguard serve` does (allocator tuned, start cache), checks 40 of the soak's
posts, then reloads the same rules and org lists `--reloads` times, checking 40 new posts after
each. Prints the CPU (this thread) and wall time of a reload with its warm-up, the first check
after it, and RSS before the first reload and after the last. Nothing changes between reloads,
which is what most signed bundles are to the parts a reload may keep (runtime.rebuild_engine).

Run: .venv/bin/python bench/soak_reloads.py --org DIR [--reloads 8] [--data-dir DIR]
     PYTHONPATH=/tmp/pg-old .venv/bin/python bench/soak_reloads.py --org DIR   # another checkout
"""

from __future__ import annotations

import argparse
import inspect
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from process_memory import rss_mb  # noqa: E402
from soak_posts import PostMaker  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--org", type=Path, required=True, help="org directory (e.g. one with 100,000 clients)")
    parser.add_argument("--reloads", type=int, default=8)
    parser.add_argument("--data-dir", type=Path, help="data dir (its start cache is used; default: a new one)")
    args = parser.parse_args()

    from companion.config import Settings
    from companion.memory import tune_allocator

    tune_allocator()
    from companion.detection import pattern_cache
    from companion.detection.start_cache import start_cache_dir

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="pg-reloads-"))
    settings = Settings.from_env(org_dir=args.org, data_dir=data_dir, bundle_poll_s=0)
    cache_dir = start_cache_dir(settings.data_dir)
    pattern_cache.preload(cache_dir)
    from companion.runtime import build_engine, rebuild_engine

    engine = build_engine(settings, cache_dir=cache_dir)
    engine.warm_up()
    maker = PostMaker(random.Random(5))
    for _ in range(40):
        engine.check(maker.post())
    # An older checkout's rebuild_engine takes no cache dir.
    with_cache = "cache_dir" in inspect.signature(rebuild_engine).parameters
    cpu, wall, first = [], [], []
    before = rss_mb()
    for _ in range(args.reloads):
        started, started_cpu = time.perf_counter(), time.thread_time()
        new = rebuild_engine(settings, engine, cache_dir) if with_cache else rebuild_engine(settings, engine)
        new.warm_up()
        cpu.append(time.thread_time() - started_cpu)
        wall.append(time.perf_counter() - started)
        engine = new
        started = time.perf_counter()
        engine.check(maker.post())
        first.append(time.perf_counter() - started)
        for _ in range(39):
            engine.check(maker.post())
    print(f"{args.org.name}: a reload with its warm-up: CPU p50 {statistics.median(cpu):.2f} s, wall p50 "
          f"{statistics.median(wall):.2f} s; the check right after it p50 {1000 * statistics.median(first):.0f} ms; "
          f"RSS {before:.1f} -> {rss_mb():.1f} MB over {args.reloads} reloads; "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    os._exit(0)  # the warm-up threads of replaced engines need not be waited for


if __name__ == "__main__":
    main()
