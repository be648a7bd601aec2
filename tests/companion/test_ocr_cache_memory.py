"""The OCR cache keeps a photo's reading packed, not as hundreds of small objects.

Every small object a cache keeps alive pins the page of Python's small-object allocator it was
made in, among the short-lived objects of the check that made it; readings of photos kept that
way spread over more and more arenas as new photos evicted old ones (docs/performance.md, "Soak",
2026-12-05 evening). The test counts the allocator's blocks a kept reading holds once the check's
own objects are gone, and checks that what comes back is the reading that went in.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from companion.ocr.base import OcrResult, OcrWord
from companion.ocr.cache import OcrCache


def _reading(words: int = 300) -> OcrResult:
    parts, found, at = [], [], 0
    for i in range(words):
        word = f"Word{i}"
        found.append(OcrWord(word, at, at + len(word), (10 * i + 1000, 20 * (i % 40) + 1000, 48, 17), 91.5 + i % 7))
        parts.append(word)
        at += len(word) + 1
    return OcrResult(text=" ".join(parts), words=found, languages=("eng", "chi_sim"), elapsed_ms=1234.5)


# Counted in an interpreter of its own: `sys.getallocatedblocks` counts the whole process, and a
# thread an earlier test left running would allocate in the middle of the count.
_COUNT_KEPT_BLOCKS = """
import gc, sys
sys.path.insert(0, {tests!r})
from test_ocr_cache_memory import _reading
from companion.ocr.cache import OcrCache
cache = OcrCache(size=4)
gc.collect()
before = sys.getallocatedblocks()
reading = _reading()
cache.put("digest-1", reading)
del reading
gc.collect()
print(sys.getallocatedblocks() - before)
"""


def test_a_kept_reading_holds_a_few_blocks_not_several_per_word():
    here = Path(__file__).resolve()
    done = subprocess.run([sys.executable, "-c", _COUNT_KEPT_BLOCKS.format(tests=str(here.parent))],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(here.parents[2])})
    assert done.returncode == 0, done.stderr[-2000:]
    kept = int(done.stdout.split()[-1])
    # As objects, 300 words keep about 2,000 blocks (each word, its dict, text, box and numbers).
    assert kept < 30, f"a kept reading of 300 words holds {kept} of Python's small blocks"


def test_what_comes_back_is_the_reading_that_went_in_and_a_copy_of_it():
    cache = OcrCache(size=2)
    reading = _reading(words=12)
    cache.put("digest-1", reading)
    first, second = cache.get("digest-1"), cache.get("digest-1")
    assert first == reading and second == reading and first is not second
    assert first.bbox_for_span(0, 5) == reading.bbox_for_span(0, 5)
    assert cache.get("digest-2") is None


def test_incomplete_readings_are_not_kept_and_the_bound_holds():
    cache = OcrCache(size=2)
    cache.put("cut-short", OcrResult(text="half", incomplete=True))
    assert cache.get("cut-short") is None
    for name in ("a", "b", "c"):
        cache.put(name, _reading(words=3))
    assert len(cache) == 2 and cache.get("a") is None and cache.get("c") is not None
