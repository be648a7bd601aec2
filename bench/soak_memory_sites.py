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

Run: .venv/bin/python bench/soak_memory_sites.py [--posts 2000] [--warmup 300] [--every 250] [--frames 30] [--no-trace]
Another checkout (before/after): PYTHONPATH=<checkout> .venv/bin/python bench/soak_memory_sites.py ...
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import tempfile
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from soak_posts import PostMaker  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def sqlite_mb() -> float:
    """What SQLite has allocated in this process (page caches, statements), from its own counter."""
    import ctypes
    import ctypes.util
    import sqlite3  # noqa: F401  (loads the library Python's module uses)
    lib = ctypes.CDLL(ctypes.util.find_library("sqlite3"))
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return lib.sqlite3_memory_used() / 1e6


def glibc_mb() -> tuple[float, float]:
    """glibc's in-use and freed-but-kept bytes in its arenas (mallinfo2), MB; NaN off glibc."""
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                                                         "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
    try:
        libc = ctypes.CDLL(None)
        libc.mallinfo2.restype = MallInfo2
        info = libc.mallinfo2()
    except (OSError, AttributeError):
        return float("nan"), float("nan")
    return (info.uordblks + info.hblkhd) / 1e6, info.fordblks / 1e6


def pymalloc_mb() -> tuple[float, float]:
    """Python's small-object allocator: MB in live blocks, and MB of arenas it holds (what RSS sees).
    Arenas are freed only when empty, so long-lived objects spread over many keep them all."""
    import os
    import re
    import tempfile as tmp

    with tmp.TemporaryFile(mode="w+") as out:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(out.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        text = out.read()
    blocks = re.search(r"# bytes in allocated blocks\s*=\s*([\d,]+)", text)
    arenas = re.search(r"# arenas allocated current\s*=\s*([\d,]+)", text)
    if not blocks or not arenas:
        return float("nan"), float("nan")
    return int(blocks.group(1).replace(",", "")) / 1e6, int(arenas.group(1).replace(",", "")) * (1 << 20) / 1e6


def drive(client, maker: PostMaker, rng: random.Random, count: int) -> None:
    """`count` checks, a third of them followed by a decision; any answer but 200 stops the run."""
    for _ in range(count):
        answer = client.post("/v1/check", json={"text": maker.post(), "platform": "linkedin"})
        if answer.status_code != 200:
            raise SystemExit(f"check answered {answer.status_code}")
        if rng.random() < 0.3:
            decided = client.post("/v1/decision", json={"scan_id": answer.json["scan_id"], "action": "posted"})
            if decided.status_code != 200:
                raise SystemExit(f"decision answered {decided.status_code}")


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
    args = parser.parse_args()
    from companion.memory import tune_allocator

    tune_allocator()  # as `postguard serve` does, before anything is loaded
    from companion.app import create_app
    from companion.config import Settings

    app = create_app(Settings(data_dir=Path(tempfile.mkdtemp(prefix="postguard-sites-")), bundle_poll_s=0))
    app.extensions["postguard"].engine.warm_up()
    client, maker, rng = app.test_client(), PostMaker(random.Random(11)), random.Random(12)
    drive(client, maker, rng, args.warmup)
    if not args.no_trace:
        tracemalloc.start(args.frames)
    report("after warm-up", app)
    before = tracemalloc.take_snapshot() if not args.no_trace else None
    done = 0
    while done < args.posts:
        step = min(args.every, args.posts - done)
        drive(client, maker, rng, step)
        done += step
        report(f"+{done} posts", app)
    if args.no_trace:
        return
    after = tracemalloc.take_snapshot()
    filters = [tracemalloc.Filter(False, __file__), tracemalloc.Filter(False, "*/soak_posts.py"),
               tracemalloc.Filter(False, tracemalloc.__file__)]
    grown = after.filter_traces(filters).compare_to(before.filter_traces(filters), "traceback")
    print(f"\nsites that grew most over {args.posts} posts:")
    for stat in grown[:args.top]:
        print(f"{stat.size_diff / 1024:+9.1f} KiB in {stat.count_diff:+d} blocks")
        for line in stat.traceback.format(limit=6, most_recent_first=True):
            print("    " + line)


if __name__ == "__main__":
    main()
