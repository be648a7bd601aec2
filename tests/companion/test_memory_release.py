"""What a long-running companion gives back: freed large buffers, and the engine a reload replaced.

glibc raises its mmap threshold to the size of the first large block freed, after which a
photo's pixel arrays come from the server threads' arenas and stay there once freed
(companion/memory.py). `postguard serve` fixes the thresholds before loading anything. The
first test runs a fresh interpreter each way, on the real C library, with a large block freed
first, as the companion's start-up does: untuned, 40 MiB of freed 1 MiB buffers stay resident;
tuned, they go back. What a photo allocates while it is prepared for OCR is kept small too.
The RSS over an hour is measured by bench/soak.py, not here.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import weakref
from types import SimpleNamespace

import pytest

from companion.config import Settings
from companion.deploy.reload import BundleWatcher
from companion.runtime import rebuild_engine

glibc_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")

# A fresh interpreter frees one 16 MiB block, then makes forty 1 MiB buffers with a small block
# between each (what a check leaves alive), frees the buffers, and reports RSS in MiB.
# The start of every child script here and in test_allocator_arenas.py: the allocator tuned when
# asked ("tuned" as the first argument) and the process's RSS in MiB.
CHILD_PREAMBLE = r"""
import json, sys
from pathlib import Path
if sys.argv[1] == "tuned":
    from companion.memory import tune_allocator
    assert tune_allocator()
def rss():
    return int(next(l for l in Path("/proc/self/status").read_text().splitlines()
                    if l.startswith("VmRSS:")).split()[1]) / 1024
"""

_CHILD = CHILD_PREAMBLE + r"""
big = b"\x01" * (16 << 20)
del big
before = rss()
buffers, small = [], []
for i in range(40):
    buffers.append(b"\x02" * (1 << 20))
    small.append(b"\x03" * 600 + bytes([i]))
held = rss()
del buffers
print(json.dumps({"before": before, "held": held, "after": rss()}))
"""


def _freed_buffers(how: str) -> dict:
    done = subprocess.run([sys.executable, "-c", _CHILD, how], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@glibc_only
def test_freed_large_buffers_go_back_to_the_system_once_the_allocator_is_tuned():
    untuned, tuned = _freed_buffers("untuned"), _freed_buffers("tuned")
    assert untuned["held"] - untuned["before"] > 35 and tuned["held"] - tuned["before"] > 35, (untuned, tuned)
    assert untuned["after"] - untuned["before"] > 30, f"the C library kept nothing; nothing to show: {untuned}"
    assert tuned["after"] - tuned["before"] < 5, f"freed buffers stayed resident: {tuned}"


def test_the_server_tunes_the_allocator_before_it_loads_anything(monkeypatch, tmp_path):
    """`run_server` sets the thresholds before `create_app` loads the engine (stopped right there)."""
    import companion.app
    import companion.memory
    from companion.server import run_server

    order = []

    class Loaded(Exception):
        pass

    def create_app(_settings):
        order.append("create_app")
        raise Loaded

    monkeypatch.setattr(companion.memory, "tune_allocator", lambda: order.append("tune_allocator"))
    monkeypatch.setattr(companion.app, "create_app", create_app)
    with pytest.raises(Loaded):
        run_server(Settings(data_dir=tmp_path / "data", port=1))
    assert order == ["tune_allocator", "create_app"]


def test_a_reload_frees_the_engine_it_replaced_with_its_caches(api_engine, tmp_path):
    """Once `reload()` returns, nothing holds the old engine: not the watcher, not its OCR cache."""
    from images import render_quotation_sheet

    settings = Settings(data_dir=tmp_path / "data", ocr_budget_s=api_engine.ocr_budget_s, bundle_poll_s=0)
    engine = rebuild_engine(settings, api_engine)
    photo, _boxes = render_quotation_sheet()
    png = io.BytesIO()
    photo.save(png, "PNG")
    from companion.detection.engine import ImageInput
    from companion.imaging import decode_image

    image = ImageInput(decode_image(png.getvalue()), "quote.png", "digest-of-the-quote")
    engine.check("Our price: USD 2.50/pc FOB Ningbo, ask Hansen Maschinenbau.", [image])
    assert engine.ocr_cache.get("digest-of-the-quote") is not None, "the photo's reading is cached"
    del image, photo, png
    state = SimpleNamespace(engine=engine, versions={})
    old = weakref.ref(engine)
    del engine

    assert BundleWatcher(state, settings, interval_s=3600).reload()
    assert state.engine is not old() and state.engine.analyzer is api_engine.analyzer
    assert old() is None, "the replaced engine is still referenced after the reload"


def test_preparing_a_photo_for_ocr_keeps_its_temporaries_small():
    """A photo's preparation for Tesseract peaks at about 12 MB of arrays (27 MB when the rule
    search summed whole int16 copies of it), and reads the same as before."""
    import tracemalloc

    import numpy as np
    from images import render_quotation_sheet

    from companion.ocr import preprocess

    sheet, _boxes = render_quotation_sheet()
    tracemalloc.start()
    try:
        prepared = preprocess.prepare(sheet)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert prepared.image.size[0] * prepared.image.size[1] > 1_500_000
    assert peak < 18_000_000, f"preparing one photo took {peak / 1e6:.1f} MB at its peak"

    rng = np.random.default_rng(3)
    mask = rng.random((700, 900)) < 0.9
    mask[:, 300:520] = True  # long runs across every band
    whole = preprocess._long_runs_in_band(mask, preprocess.RULING_MIN_RUN)
    assert np.array_equal(preprocess._long_runs(mask, preprocess.RULING_MIN_RUN), whole) and whole.any()
