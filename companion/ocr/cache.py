"""A small cache of OCR readings keyed by the attached image's digest.

A reading is kept packed, as one bytes object, not as the `OcrResult` the check made. A reading
of a photo is a few hundred small objects (every word with its text, box and numbers), made in
the middle of the photo's check among thousands of short-lived ones; kept as they are, each one
left alive holds on to the memory page of Python's small-object allocator it was put in, and an
arena of them goes back to the system only once every object in it is gone. With a new photo
evicting an old one now and then, the readings were spread over more and more arenas: the
companion's Python arenas grew by a megabyte at a time in hour-long soaks with photos, and not
without them (docs/performance.md, "Soak"). Packed, a kept reading is one block (larger ones come
from the C allocator), and a re-check unpacks a fresh copy in well under a millisecond, against
seconds for OCR.
"""

from __future__ import annotations

import pickle

from companion.lru import BoundedLru
from companion.ocr.base import OcrResult


class OcrCache:
    """The last OCR readings by image digest, so re-checks of a post with a photo are cheap.

    The extension re-checks while the user edits the caption; the photo has not changed,
    so its OCR text has not either. Only complete readings are kept.
    """

    def __init__(self, size: int = 32):
        self._items: BoundedLru[str, bytes] = BoundedLru(size)

    def get(self, digest: str) -> OcrResult | None:
        """A copy of the reading kept for `digest`, or None."""
        packed = self._items.get(digest)
        return pickle.loads(packed) if packed is not None else None

    def put(self, digest: str, result: OcrResult) -> None:
        """Keep a complete reading (an incomplete one is read again next time)."""
        if digest and not result.incomplete:
            self._items.put(digest, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))

    def __len__(self) -> int:
        return len(self._items)
