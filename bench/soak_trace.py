"""At-rest memory dumps from inside a real `postguard serve`, for `bench/soak.py --trace-dir`.

Two parts, both bench-only (the companion itself has no switch for this):

- `serve`: what soak.py runs instead of `postguard serve` when given `--trace-dir`: the ordinary
  `postguard serve`, plus a SIGUSR1 handler (soak.py sends the signal at each at-rest sample, when
  no request is in flight) that writes `rest-NNN.json` to `SOAK_TRACE_DIR`: RSS, glibc's in-use
  and kept bytes (mallinfo2), Python's small-object allocator (live blocks against the arenas it
  holds), and the number of live objects per type. With `SOAK_TRACE_FRAMES=N` the first dump also
  starts tracemalloc (tracing the start-up would take minutes) and every later one writes
  `rest-NNN.snap`, a snapshot: compare from a dump after the caches have turned over once.
  A dump reads every live object once (a second or two with the clients paused).
- `compare DIR`: the figures of every dump side by side, the types whose count grew most between
  a dump after warm-up and the last, and (with snapshots) the allocation sites that grew over
  both halves of that stretch: growth that goes on, not a cache filling.

Run: .venv/bin/python bench/soak.py --minutes 20 --trace-dir /tmp/trace [--server-env SOAK_TRACE_FRAMES=12]
     .venv/bin/python bench/soak_trace.py compare /tmp/trace [--from 5] [--top 12]
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
import os
import signal
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from process_memory import glibc_mb, pymalloc_mb, rss_mb  # noqa: E402


def dump(directory: Path, number: int) -> None:
    """One at-rest dump: figures and object counts as JSON, and the snapshot when tracing.

    No `gc.collect()` unless `SOAK_TRACE_COLLECT=1`: a collection every minute that the plain
    server does not run could hide growth that waits for the collector."""
    if os.environ.get("SOAK_TRACE_COLLECT") == "1":
        gc.collect()
    types = collections.Counter(type(o).__qualname__ for o in gc.get_objects())
    in_use, kept = glibc_mb()
    blocks, arenas = pymalloc_mb()
    figures = {"rss_mb": rss_mb(), "glibc_in_use_mb": in_use, "glibc_kept_mb": kept, "pymalloc_blocks_mb": blocks,
               "pymalloc_arenas_mb": arenas, "objects": sum(types.values()), "types": dict(types.most_common(400))}
    frames = int(os.environ.get("SOAK_TRACE_FRAMES", "0"))
    if tracemalloc.is_tracing():
        figures["traced_mb"] = tracemalloc.get_traced_memory()[0] / 1e6
        tracemalloc.take_snapshot().dump(str(directory / f"rest-{number:03d}.snap"))
    elif frames:
        tracemalloc.start(frames)
    temporary = directory / f".rest-{number:03d}.json"
    temporary.write_text(json.dumps(figures))
    temporary.rename(directory / f"rest-{number:03d}.json")  # soak.py waits for this name


def note_late_imports(path: Path) -> None:
    """From now on, append every module imported for the first time, with where it was asked for, to
    `path`: a module first imported by a check long after start (numpy.ma, by a `np.unique`) is a
    step in the at-rest curve that looks like growth."""
    import traceback

    def hook(event: str, args: tuple) -> None:
        if event == "import" and args[0] not in sys.modules and not getattr(hook, "busy", False):
            hook.busy = True
            try:
                stack = "".join(traceback.format_stack(limit=14)[:-1])
                with path.open("a") as out:
                    out.write(f"--- {args[0]}\n{stack}")
            finally:
                hook.busy = False

    sys.addaudithook(hook)


def serve(argv: list[str]) -> None:
    """`postguard serve` with a SIGUSR1 handler that dumps at rest; imports after the first dump are
    noted in `late-imports.txt`."""
    directory = Path(os.environ["SOAK_TRACE_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    count = iter(range(10**6))

    def on_signal(*_) -> None:
        number = next(count)
        dump(directory, number)
        if number == 0:
            note_late_imports(directory / "late-imports.txt")

    signal.signal(signal.SIGUSR1, on_signal)
    from companion.cli import main

    sys.argv = ["postguard", *argv]
    main()


def compare(directory: Path, start: int, top: int) -> None:
    """Print the dumps' figures, the types that grew, and (with snapshots) the sites that kept growing."""
    dumps = sorted(directory.glob("rest-*.json"))
    rows = [json.loads(p.read_text()) for p in dumps]
    print(" dump   RSS  glibc in use / kept  pymalloc blocks / arenas  objects  traced")
    for path, row in zip(dumps, rows):
        print(f"{path.stem[5:]:>5} {row['rss_mb']:6.1f}  {row['glibc_in_use_mb']:8.1f} / {row['glibc_kept_mb']:4.1f}"
              f"  {row['pymalloc_blocks_mb']:12.1f} / {row['pymalloc_arenas_mb']:6.1f}  {row['objects']:8,}"
              f"  {row.get('traced_mb', float('nan')):6.1f}")
    first, last = rows[start], rows[-1]
    grown = sorted(((last["types"].get(t, 0) - first["types"].get(t, 0), t) for t in last["types"]), reverse=True)
    print(f"\nobject types that grew most from dump {start} to the last:")
    for diff, name in grown[:top]:
        print(f"{diff:+9,} {name}")
    snaps = [p for p in sorted(directory.glob("rest-*.snap")) if int(p.stem[5:]) >= start]
    if len(snaps) < 3:
        return
    a, b, c = (tracemalloc.Snapshot.load(str(snaps[i])) for i in (0, len(snaps) // 2, -1))
    filters = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, __file__)]
    a, b, c = (s.filter_traces(filters) for s in (a, b, c))
    first_half = {s.traceback: s.size_diff for s in b.compare_to(a, "traceback")}
    both = [(first_half.get(s.traceback, 0), s) for s in c.compare_to(b, "traceback")
            if s.size_diff > 0 and first_half.get(s.traceback, 0) > 0]
    print(f"\nsites that grew in both halves ({snaps[0].stem}, {snaps[len(snaps) // 2].stem}, {snaps[-1].stem}):")
    for earlier, stat in sorted(both, key=lambda pair: -min(pair[0], pair[1].size_diff))[:top]:
        print(f"{earlier / 1024:+8.1f} then {stat.size_diff / 1024:+8.1f} KiB ({stat.count_diff:+d} blocks)")
        for line in stat.traceback.format(limit=8, most_recent_first=True):
            print("    " + line)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[1:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["compare"])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--from", dest="start", type=int, default=5, help="First dump counted (after warm-up).")
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    compare(args.directory, args.start, args.top)


if __name__ == "__main__":
    main()
