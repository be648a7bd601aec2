"""Where the companion's memory grows: the soak's traffic through the app in-process, under tracemalloc.

Builds the app `postguard serve` runs (`create_app`, a throw-away data directory), sends it the
soak's posts (bench/soak_posts.py: never the same sentence twice) and decisions through Flask's
test client, and prints:
- every `--every` posts: RSS, traced memory, the size of the vocabulary Presidio's windows are
  tokenized on (strings, lexemes, the string table's cells, renewals so far) and the model's own,
  SQLite's own allocation counter, glibc's in-use and freed-but-kept bytes (mallinfo2), and
  Python's small-object allocator: bytes in live blocks against the arenas it holds;
- the allocation sites whose memory grew most between the end of warm-up and the end (not with
  `--no-trace`, which runs at full speed to show the tables over many posts).

tracemalloc sees what goes through Python's allocator, which includes spaCy's and Presidio's
pools; it does not see glibc's own free lists or Tesseract, which runs as a child process.
`bench/soak.py` measures the real server's RSS; this says where to look.

With `--image-share` some checks carry a photo (rendered as bench/soak.py renders them) and
`--threads` drives the app from several threads at once, as waitress's threads do. With
`--trace-warmup` tracing starts before warm-up, so entries of full caches are traced before the
first snapshot; the sites are then compared over two halves of the run, and a site that grew
in both halves is growth that goes on, not a cache filling.

Run: .venv/bin/python bench/soak_memory_sites.py [--posts 2000] [--warmup 300] [--every 250] [--frames 30] [--no-trace]
     [--image-share 0.03] [--decision-share 0.3] [--threads 1] [--trace-warmup]
Another checkout (before/after): PYTHONPATH=<checkout> .venv/bin/python bench/soak_memory_sites.py ...
"""

from __future__ import annotations

import argparse
import base64
import gc
import random
import sys
import tempfile
import threading
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from process_memory import glibc_mb, pymalloc_mb, rss_mb  # noqa: E402
from soak_posts import PostMaker, render_photo  # noqa: E402


def sqlite_mb() -> float:
    """What SQLite has allocated in this process (page caches, statements), from its own counter."""
    import ctypes
    import ctypes.util
    import sqlite3  # noqa: F401  (loads the library Python's module uses)
    lib = ctypes.CDLL(ctypes.util.find_library("sqlite3"))
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return lib.sqlite3_memory_used() / 1e6


def drive(client, maker: PostMaker, rng: random.Random, count: int, image_share: float = 0.0,
          decision_share: float = 0.3) -> None:
    """`count` checks (some with a photo), some followed by a decision; any answer but 200 stops the run."""
    for _ in range(count):
        body = {"text": maker.post(), "platform": "linkedin"}
        if rng.random() < image_share:
            body["text"] = maker.caption()
            body["images"] = [{"name": "photo.png", "mime": "image/png",
                               "data": base64.b64encode(render_photo(maker, rng)).decode()}]
        answer = client.post("/v1/check", json=body)
        if answer.status_code != 200:
            raise SystemExit(f"check answered {answer.status_code}")
        if rng.random() < decision_share:
            decided = client.post("/v1/decision", json={"scan_id": answer.json["scan_id"], "action": "posted"})
            if decided.status_code != 200:
                raise SystemExit(f"decision answered {decided.status_code}")


def drive_threads(app, makers: list, rngs: list, count: int, args) -> None:
    """`count` checks shared by one thread per maker, each with its own test client."""
    share = [count // len(makers) + (i < count % len(makers)) for i in range(len(makers))]
    threads = [threading.Thread(target=drive, args=(app.test_client(), maker, rng, n, args.image_share,
                                                    args.decision_share))
               for maker, rng, n in zip(makers, rngs, share)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def report(label: str, app) -> None:
    nlp = app.extensions["postguard"].engine.analyzer.nlp_engine.nlp["en"]
    try:  # since the windows got a vocabulary of their own (detection/spacy_memory.py)
        from companion.detection.spacy_memory import window_tokenizer
        windows = window_tokenizer(nlp)
        vocab, renewals = windows.vocab, windows.renewals
    except ImportError:
        vocab, renewals = nlp.vocab, 0
    gc.collect()
    traced = tracemalloc.get_traced_memory()[0] / 1e6 if tracemalloc.is_tracing() else float("nan")
    print(f"{label:>14}: RSS {rss_mb():6.1f} MB  traced {traced:6.2f} MB  windows' strings "
          f"{len(vocab.strings):,} lexemes {sum(1 for _ in vocab):,} table {vocab.strings._map.capacity:,} "
          f"cells, renewed {renewals}x  model's strings {len(nlp.vocab.strings):,} table "
          f"{nlp.vocab.strings._map.capacity:,} cells  SQLite {sqlite_mb():5.2f} MB  glibc in use / free "
          "%.1f / %.1f MB  pymalloc blocks / arenas %.1f / %.1f MB" % (glibc_mb() + pymalloc_mb()), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--every", type=int, default=250)
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--frames", type=int, default=30, help="Frames kept per allocation (fewer: faster).")
    parser.add_argument("--no-trace", action="store_true", help="No tracemalloc: full speed, no sites.")
    parser.add_argument("--image-share", type=float, default=0.0, help="Share of checks that carry a photo.")
    parser.add_argument("--decision-share", type=float, default=0.3, help="Share of checks followed by a decision.")
    parser.add_argument("--threads", type=int, default=1, help="Threads sending checks at once.")
    parser.add_argument("--trace-warmup", action="store_true",
                        help="Trace from before warm-up and compare the two halves of the run.")
    args = parser.parse_args()
    from companion.memory import tune_allocator

    tune_allocator()  # as `postguard serve` does, before anything is loaded
    from companion.app import create_app
    from companion.config import Settings

    app = create_app(Settings(data_dir=Path(tempfile.mkdtemp(prefix="postguard-sites-")), bundle_poll_s=0))
    app.extensions["postguard"].engine.warm_up()
    makers = [PostMaker(random.Random(11 + i), i) for i in range(args.threads)]
    rngs = [random.Random(12 + i) for i in range(args.threads)]
    tracing = not args.no_trace
    if tracing and args.trace_warmup:
        tracemalloc.start(args.frames)
    drive_threads(app, makers, rngs, args.warmup, args)
    if tracing and not args.trace_warmup:
        tracemalloc.start(args.frames)
    report("after warm-up", app)
    snapshots = [tracemalloc.take_snapshot()] if tracing else []
    done = 0
    while done < args.posts:
        step = min(args.every, args.posts - done)
        drive_threads(app, makers, rngs, step, args)
        done += step
        report(f"+{done} posts", app)
        if tracing and args.trace_warmup and len(snapshots) == 1 and done >= args.posts // 2:
            gc.collect()
            snapshots.append(tracemalloc.take_snapshot())
    if not tracing:
        return
    gc.collect()
    snapshots.append(tracemalloc.take_snapshot())
    filters = [tracemalloc.Filter(False, __file__), tracemalloc.Filter(False, "*/soak_posts.py"),
               tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen importlib._bootstrap>")]
    snapshots = [snap.filter_traces(filters) for snap in snapshots]
    halves = [after.compare_to(before, "traceback") for before, after in zip(snapshots, snapshots[1:])]
    grown = [(None, stat) for stat in halves[0]] if len(halves) == 1 else _grew_in_both(*halves)
    print(f"\nsites that grew most over {args.posts} posts" + (" (in both halves)" if len(halves) > 1 else "") + ":")
    for first, stat in [(f, s) for f, s in grown if s.size_diff > 0][:args.top]:
        halves_text = f" (first half {first / 1024:+.1f} KiB)" if first is not None else ""
        print(f"{stat.size_diff / 1024:+9.1f} KiB in {stat.count_diff:+d} blocks{halves_text}")
        for line in stat.traceback.format(limit=8, most_recent_first=True):
            print("    " + line)


def _grew_in_both(first: list, second: list) -> list:
    """(growth in the first half, stat of the second half) for the sites that grew in both, largest first."""
    grew_first = {stat.traceback: stat.size_diff for stat in first if stat.size_diff > 0}
    both = [(grew_first[stat.traceback], stat) for stat in second
            if stat.size_diff > 0 and stat.traceback in grew_first]
    return sorted(both, key=lambda pair: -min(pair[0], pair[1].size_diff))


if __name__ == "__main__":
    main()
