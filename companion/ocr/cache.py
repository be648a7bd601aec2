"""A small cache of OCR readings keyed by the attached image's digest."""

from __future__ import annotations

import threading
from collections import OrderedDict

from companion.ocr.base import OcrResult


class OcrCache:
    """The last OCR readings by image digest, so re-checks of a post with a photo are cheap.

    The extension re-checks while the user edits the caption; the photo has not changed,
    so its OCR text has not either. Only complete readings are kept.
    """

    def __init__(self, size: int = 32):
        self._size = size
        self._items: OrderedDict[str, OcrResult] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, digest: str) -> OcrResult | None:
        with self._lock:
            if digest in self._items:
                self._items.move_to_end(digest)
                return self._items[digest]
        return None

    def put(self, digest: str, result: OcrResult) -> None:
        if not digest or result.incomplete:
            return
        with self._lock:
            self._items[digest] = result
            self._items.move_to_end(digest)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
