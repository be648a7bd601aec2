"""Memory a long-running companion gives back: glibc's allocator, fixed for large buffers.

glibc serves a request of 128 KiB or more with its own `mmap`, which goes back to the system
on `free`. But the first time such a block is freed, glibc raises that threshold to the
block's size (up to 32 MiB) and its arenas' trim threshold to twice that, so from then on a
photo's pixel arrays (a few MB each), the sentence encoder's activations and a rules reload's
compiled patterns are carved from the arenas of whichever server thread asked, and stay there
once freed: the companion's resident memory then wanders by tens of MB with what each thread
last did (`bench/soak.py`, docs/performance.md "Soak").

`tune_allocator()` fixes both thresholds at glibc's own starting values, which also turns the
raising off: large buffers are mapped and unmapped with each use. It also keeps every thread on
one arena. glibc gives each new thread an arena of its own (up to eight per core), and each arena
keeps its own holes between live blocks: with four server threads, what a photo's check freed
stayed in the arena of the thread that ran it, and the free memory kept in the arenas rose by
2-3 MB over an hour. The companion's threads take turns holding Python's global lock for nearly
all they allocate, so one arena costs them little waiting; in a soak pair, one arena kept 1-2 MB
free against 4-5 MB (docs/performance.md, "Soak"). A `MALLOC_ARENA_MAX` set in the environment
wins. `postguard serve` calls it before it loads anything, before its threads exist. It does
nothing where the C library is not glibc (macOS, Windows, musl). With the thresholds fixed, `malloc_trim(0)` after a photo or a reload found less than
1 MB to return under the soak's load, so the companion does not call it.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
from functools import lru_cache

log = logging.getLogger("postguard")

M_TRIM_THRESHOLD = -1  # mallopt parameters, from glibc's malloc.h
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
ARENAS = 1  # every thread allocates from one arena (see the module's docstring)
LARGE_BLOCK_BYTES = 128 * 1024  # glibc's starting mmap threshold (and trim threshold), kept fixed


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
    """Keep glibc mapping large blocks (and trimming its arenas) at fixed thresholds, and every
    thread on one arena unless `MALLOC_ARENA_MAX` says otherwise; True if set."""
    libc = _glibc()
    if libc is None:
        return False
    done = bool(libc.mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK_BYTES)) and \
        bool(libc.mallopt(M_TRIM_THRESHOLD, LARGE_BLOCK_BYTES))
    if "MALLOC_ARENA_MAX" not in os.environ:
        done = bool(libc.mallopt(M_ARENA_MAX, ARENAS)) and done
    if not done:
        log.warning("could not set the allocator's thresholds; memory may wander with large buffers")
    return done

