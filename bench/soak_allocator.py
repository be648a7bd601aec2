"""Where the server's RSS goes under load: glibc's own figures (mallinfo2) beside RSS, over time.

The app `postguard serve` runs (create_app behind waitress, a throw-away data directory) serves
in this process; the soak's clients (bench/soak.py's client loop: new posts, photos, decisions)
drive it from a child process over real HTTP, so the server's threads check concurrently as
they do in the field. Every `--sample-s` seconds it prints RSS and, from glibc:

- in use: bytes handed out from the arenas (heap and the server threads' arenas);
- free in arenas: freed bytes glibc keeps for reuse, which count in RSS;
- mapped: blocks glibc gave their own mmap (returned to the system when freed).

`--tuned` sets the thresholds `postguard serve` sets (companion/memory.py) before loading;
`--trim` calls malloc_trim(0) after each sample and prints what RSS fell to (what a trim after
a photo or a reload could give back); `--reload-every-s` swaps in a new engine as the bundle
watcher does. Linux with glibc only.

Run: .venv/bin/python bench/soak_allocator.py [--minutes 5] [--rate 20] [--tuned] [--trim] [--reload-every-s 60]
Another checkout: PYTHONPATH=<checkout> .venv/bin/python bench/soak_allocator.py ...
"""

from __future__ import annotations

import argparse
import ctypes
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from process_memory import MiB, mallinfo2, rss_mb  # noqa: E402

def drive(base: str, minutes: float, rate: float, image_share: float, seed: int) -> None:
    """The child process: bench/soak.py's client threads against `base` for `minutes`."""
    import soak
    from soak_posts import PostMaker

    args = argparse.Namespace(image_share=image_share, decision_share=0.3)
    tally, stop, pacer, gate = soak.Tally(), threading.Event(), soak.Pacer(rate), soak.RestGate()
    for i in range(4):
        threading.Thread(target=soak.client_loop, daemon=True,
                         args=(base, PostMaker(random.Random(seed * 100 + i), i), random.Random(i), args, tally,
                               pacer, stop, gate)).start()
    time.sleep(minutes * 60)
    stop.set()
    errors = {kind: dict(counts) for kind, counts in tally.errors.items()}
    print(f"clients: {tally.count('text')} text checks, {tally.count('image')} photos, "
          f"{tally.count('decision')} decisions, errors {errors or 'none'}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--rate", type=float, default=20.0, help="Checks a second asked for.")
    parser.add_argument("--image-share", type=float, default=0.03)
    parser.add_argument("--sample-s", type=float, default=5.0)
    parser.add_argument("--reload-every-s", type=float, default=0.0, help="0: no reloads.")
    parser.add_argument("--tuned", action="store_true", help="The allocator thresholds postguard serve sets.")
    parser.add_argument("--trim", action="store_true", help="malloc_trim(0) after each sample.")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--drive", help=argparse.SUPPRESS)  # the child: base URL to drive
    args = parser.parse_args()
    if args.drive:
        drive(args.drive, args.minutes, args.rate, args.image_share, args.seed)
        return
    assert mallinfo2() is not None, "glibc's mallinfo2 is needed"
    if args.tuned:
        from companion.memory import tune_allocator

        assert tune_allocator(), "not glibc"
    os.environ.update(OMP_THREAD_LIMIT="1")
    from waitress import create_server

    import soak
    from companion.app import create_app
    from companion.config import Settings
    from companion.runtime import rebuild_engine

    port = soak.free_port()
    app = create_app(Settings(data_dir=Path(tempfile.mkdtemp(prefix="postguard-alloc-")), bundle_poll_s=0,
                              ocr_budget_s=10, port=port))
    state = app.extensions["postguard"]
    state.engine.warm_up()
    server = create_server(app, host="127.0.0.1", port=port, threads=state.settings.threads)
    threading.Thread(target=server.run, daemon=True).start()
    child = subprocess.Popen([sys.executable, __file__, "--drive", f"http://127.0.0.1:{port}",
                              "--minutes", str(args.minutes), "--rate", str(args.rate),
                              "--image-share", str(args.image_share), "--seed", str(args.seed)])
    started = time.monotonic()
    next_reload = args.reload_every_s or float("inf")
    print("    s  RSS MB  in use  free in arenas  mapped" + ("  RSS after trim" if args.trim else ""), flush=True)
    while child.poll() is None:
        time.sleep(args.sample_s)
        elapsed = time.monotonic() - started
        if elapsed >= next_reload:
            next_reload += args.reload_every_s
            state.engine = rebuild_engine(state.settings, state.engine)
            print(f"{elapsed:5.0f}  engine reloaded", flush=True)
        info = mallinfo2()
        line = (f"{elapsed:5.0f}  {rss_mb():6.1f}  {info.uordblks / MiB:6.1f}  {info.fordblks / MiB:14.1f}"
                f"  {info.hblkhd / MiB:6.1f}")
        if args.trim:
            ctypes.CDLL(None).malloc_trim(0)
            line += f"  {rss_mb():14.1f}"
        print(line, flush=True)
    server.close()


if __name__ == "__main__":
    main()
