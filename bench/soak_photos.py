"""Which part of a photo's check leaves freed memory in glibc's arenas, in one process.

Builds the engine as `postguard serve` does (allocator tuned), checks 300 of the soak's posts,
then for each of `N` photos (rendered beforehand, as the soak's clients render them) runs one part
of a photo's check, then three text checks (what a check leaves alive between photos). Every ten
photos it prints RSS, glibc's bytes in use and freed-but-kept, and Python's small-object blocks /
arenas. Parts:

- `prepare`: decoding and preparation for Tesseract (companion/ocr/preprocess.py), no Tesseract;
- `ocr`: the whole reading, Tesseract included; the texts are saved for `detect`;
- `detect`: the engine on those texts as on a photo's (fuzzy), a few letters changed each time.

`SOAK_MMAP_BYTES=N` sets glibc's mmap and trim thresholds to N after the companion's tuning, to
compare thresholds. Run:
    .venv/bin/python bench/soak_photos.py prepare 60
    SOAK_MMAP_BYTES=131072 .venv/bin/python bench/soak_photos.py prepare 60
    .venv/bin/python bench/soak_photos.py ocr 60 && .venv/bin/python bench/soak_photos.py detect 200
"""

from __future__ import annotations

import ctypes
import json
import os
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from process_memory import glibc_mb, pymalloc_mb, rss_mb  # noqa: E402
from soak_posts import PostMaker, render_photo  # noqa: E402

TEXTS = Path(tempfile.gettempdir()) / "postguard-soak-photo-texts.json"


def main() -> None:
    part, count = sys.argv[1], int(sys.argv[2])
    from companion.memory import tune_allocator

    tune_allocator()
    if os.environ.get("SOAK_MMAP_BYTES"):
        libc, size = ctypes.CDLL(None), int(os.environ["SOAK_MMAP_BYTES"])
        assert libc.mallopt(-3, size) and libc.mallopt(-1, size)
    from companion.app import create_app
    from companion.config import Settings
    from companion.imaging import decode_image
    from companion.ocr.preprocess import prepare

    app = create_app(Settings(data_dir=Path(tempfile.mkdtemp(prefix="soak-photos-")), bundle_poll_s=0,
                              ocr_budget_s=10))
    engine = app.extensions["postguard"].engine
    engine.warm_up()
    maker, rng = PostMaker(random.Random(5)), random.Random(6)
    for _ in range(300):
        engine.check_text(maker.post())
    photos = [render_photo(maker, rng) for _ in range(count)] if part in ("prepare", "ocr") else []
    texts = json.loads(TEXTS.read_text()) if part == "detect" else []
    read = []
    for number in range(count + 1):
        if number:
            if part == "prepare":
                prepare(decode_image(photos[number - 1]))
            elif part == "ocr":
                read.append(engine.ocr.read(decode_image(photos[number - 1]), 10).text)
            else:
                text = texts[number % len(texts)]
                engine.check_text("".join(c if rng.random() > 0.03 else rng.choice("lI1|oO0 .,") for c in text),
                                  fuzzy=True, photo=True)
            for _ in range(3):
                engine.check_text(maker.post())
        if number % 10 == 0:
            in_use, kept = glibc_mb()
            blocks, arenas = pymalloc_mb()
            print(f"{part} {number:5} RSS {rss_mb():6.1f} MB, glibc in use {in_use:6.1f} / kept {kept:4.1f}, "
                  f"Python's blocks / arenas {blocks:5.1f} / {arenas:5.1f}", flush=True)
    if part == "ocr":
        TEXTS.write_text(json.dumps(read))
    os._exit(0)  # the warm-up threads need not be waited for


if __name__ == "__main__":
    main()
