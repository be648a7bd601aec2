"""A small cache of OCR readings keyed by the attached image's digest."""

from __future__ import annotations

from companion.lru import BoundedLru
from companion.ocr.base import OcrResult


class OcrCache:
    """The last OCR readings by image digest, so re-checks of a post with a photo are cheap.

    The extension re-checks while the user edits the caption; the photo has not changed,
    so its OCR text has not either. Only complete readings are kept.
    """

    def __init__(self, size: int = 32):
        self._items: BoundedLru[str, OcrResult] = BoundedLru(size)

    def get(self, digest: str) -> OcrResult | None:
        return self._items.get(digest)

    def put(self, digest: str, result: OcrResult) -> None:
        if digest and not result.incomplete:
            self._items.put(digest, result)
