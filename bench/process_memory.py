"""This process's memory as the soak scripts read it: RSS, glibc's arenas, Python's allocator.

One copy for `soak_trace.py` (inside the companion), `soak_memory_sites.py` and
`soak_allocator.py`, so their figures mean the same thing.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
import tempfile
from pathlib import Path

MiB = 1 << 20


class MallInfo2(ctypes.Structure):
    """glibc's `struct mallinfo2`."""

    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def mallinfo2() -> MallInfo2 | None:
    """glibc's figures for this process, or None off glibc."""
    try:
        libc = ctypes.CDLL(None)
        libc.mallinfo2.restype = MallInfo2
        return libc.mallinfo2()
    except (OSError, AttributeError):
        return None


def glibc_mb() -> tuple[float, float]:
    """glibc's in-use (arenas and mapped blocks) and freed-but-kept bytes, MB; NaN off glibc."""
    info = mallinfo2()
    if info is None:
        return float("nan"), float("nan")
    return (info.uordblks + info.hblkhd) / 1e6, info.fordblks / 1e6


def pymalloc_mb() -> tuple[float, float]:
    """Python's small-object allocator: MB in live blocks, and MB of arenas it holds (what RSS sees).
    Arenas are freed only when empty, so long-lived objects spread over many keep them all."""
    with tempfile.TemporaryFile(mode="w+") as out:
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
    return int(blocks.group(1).replace(",", "")) / 1e6, int(arenas.group(1).replace(",", "")) * MiB / 1e6
