"""Memory a long-running companion gives back: glibc's allocator, fixed for large buffers.

glibc serves a request of 128 KiB or more with its own `mmap`, which goes back to the system
on `free`. But the first time such a block is freed, glibc raises that threshold to the
block's size (up to 32 MiB) and its arenas' trim threshold to twice that, so from then on a
photo's pixel arrays (a few MB each), the sentence encoder's activations and a rules reload's
compiled patterns are carved from the arenas of whichever server thread asked, and stay there
once freed: the companion's resident memory then wanders by tens of MB with what each thread
last did (`bench/soak.py`, docs/performance.md "Soak").

`tune_allocator()` fixes the trim threshold at glibc's starting 128 KiB and the mmap threshold
at 32 KiB, which also turns the raising off: large buffers are mapped and unmapped with each
use. 32 rather than 128 KiB, with no padding on top of an arena's growth (glibc adds 128 KiB and
serves large requests from that spare room before it maps one), because a photo's decoding and
preparation make many buffers of 32-128 KiB: carved from an arena, they left holes there under
blocks that lived on, and in one process 60 photos' preparations left 1.8 MB free in the arena
at 128 KiB against 0.3-0.6 MB at 16-32 KiB (docs/performance.md, "Soak", 2026-12-05 evening).

It also keeps every thread on one arena. glibc gives each new thread an arena of its own (up to
eight per core), and each arena keeps its own holes between live blocks: with four server
threads, what a photo's check freed stayed in the arena of the thread that ran it. The
companion's threads take turns holding Python's global lock for nearly all they allocate, so one
arena costs them little waiting; in a soak pair, one arena kept 1-3 MB free against 4-5 MB. A
`MALLOC_ARENA_MAX` set in the environment wins.

`postguard serve` calls it before it loads anything, before its threads exist. It does nothing
where the C library is not glibc (macOS, Windows, musl). With the thresholds fixed,
`malloc_trim(0)` after a photo or a reload found less than 1 MB to return under the soak's
load, so the companion does not call it.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
from functools import lru_cache

log = logging.getLogger("postguard")

M_TRIM_THRESHOLD = -1  # mallopt parameters, from glibc's malloc.h
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
ARENAS = 1  # every thread allocates from one arena (see the module's docstring)
TRIM_BYTES = 128 * 1024  # glibc's starting trim threshold, kept fixed
LARGE_BLOCK_BYTES = 32 * 1024  # blocks from this size up are mapped for each use (glibc starts at 128 KiB)
TOP_PAD_BYTES = 0  # no spare room on top of an arena's growth, so large blocks are mapped, not carved


@lru_cache(maxsize=1)
def _glibc():
    """This process's glibc, or None on any other C library."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version.restype = ctypes.c_char_p
        libc.gnu_get_libc_version()
        libc.mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    except (OSError, AttributeError):
        return None
    return libc


def tune_allocator() -> bool:
    """Keep glibc mapping blocks of 32 KiB and more (and trimming its arenas) at fixed thresholds,
    and every thread on one arena unless `MALLOC_ARENA_MAX` says otherwise; True if set."""
    libc = _glibc()
    if libc is None:
        return False
    done = bool(libc.mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK_BYTES)) and \
        bool(libc.mallopt(M_TRIM_THRESHOLD, TRIM_BYTES)) and bool(libc.mallopt(M_TOP_PAD, TOP_PAD_BYTES))
    if "MALLOC_ARENA_MAX" not in os.environ:
        done = bool(libc.mallopt(M_ARENA_MAX, ARENAS)) and done
    if not done:
        log.warning("could not set the allocator's thresholds; memory may wander with large buffers")
    return done

