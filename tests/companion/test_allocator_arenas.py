"""`postguard serve` keeps every thread on one glibc arena and maps blocks of 32 KiB and more
(companion/memory.py).

Each arena keeps its own holes between live blocks, so with an arena per server thread the free
memory glibc kept rose with the photos each thread had checked. A fresh interpreter starts four
threads that allocate at once, then counts the arenas in glibc's own report (`malloc_info`):
untuned, a thread each; tuned, one. Another frees 64 KiB buffers (a photo's preparation makes
many of 32-128 KiB) made between small blocks that stay: untuned they stay resident as holes,
tuned they go back. What that does to the soak's curve is in docs/performance.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from test_memory_release import CHILD_PREAMBLE

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")

_CHILD = r"""
import ctypes, json, sys, tempfile, threading
if sys.argv[1] == "tuned":
    from companion.memory import tune_allocator
    assert tune_allocator()
ready = threading.Barrier(5)
kept = []
def work():
    kept.append([bytearray(4096) for _ in range(64)])  # C allocations, not Python's small blocks
    ready.wait()
threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads:
    t.start()
ready.wait()
for t in threads:
    t.join()
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
libc.fopen.argtypes = (ctypes.c_char_p, ctypes.c_char_p)
libc.malloc_info.argtypes = (ctypes.c_int, ctypes.c_void_p)
libc.fclose.argtypes = (ctypes.c_void_p,)
with tempfile.NamedTemporaryFile(suffix=".xml") as out:
    handle = libc.fopen(out.name.encode(), b"w")
    libc.malloc_info(0, handle)
    libc.fclose(handle)
    report = open(out.name).read()
print(json.dumps({"arenas": report.count("<heap nr=")}))
"""


def _arenas(mode: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    done = subprocess.run([sys.executable, "-c", _CHILD, mode], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["arenas"]


def test_threads_share_one_arena_once_the_allocator_is_tuned():
    untuned, tuned = _arenas("untuned"), _arenas("tuned")
    assert untuned > 2, f"untuned, four threads got {untuned} arenas; nothing to show"
    assert tuned == 1, f"tuned, four threads got {tuned} arenas"


# Buffers of 64 KiB (a photo's rows and small copies are 32-128 KiB) with a small block made
# between each that stays (what a check leaves alive), then the buffers freed; RSS in MiB.
_MEDIUM = CHILD_PREAMBLE + r"""
before = rss()
buffers, small = [], []
for i in range(256):
    buffers.append(b"\x02" * (64 << 10))
    small.append(b"\x03" * 600 + bytes([i % 256]))
held = rss()
del buffers
print(json.dumps({"before": before, "held": held, "after": rss()}))
"""


def test_freed_medium_buffers_go_back_to_the_system_once_the_allocator_is_tuned():
    def run(mode: str) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
        done = subprocess.run([sys.executable, "-c", _MEDIUM, mode], capture_output=True, text=True, env=env,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    untuned, tuned = run("untuned"), run("tuned")
    assert untuned["held"] - untuned["before"] > 14 and tuned["held"] - tuned["before"] > 14, (untuned, tuned)
    assert untuned["after"] - untuned["before"] > 12, f"the C library kept nothing; nothing to show: {untuned}"
    assert tuned["after"] - tuned["before"] < 3, f"freed 64 KiB buffers stayed resident: {tuned}"
