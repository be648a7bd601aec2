"""OCR behind a one-method interface, so the detection engine never knows which OCR runs.

The engine reads `OcrResult.text` like post text and maps a finding's character span
back to pixels through `OcrResult.words`: each word records its span in `text` and its
box in the coordinates of the image as displayed (EXIF orientation applied, before any
resizing or deskewing the OCR did on its own copy).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from PIL import Image


@dataclass(frozen=True)
class OcrWord:
    """A word Tesseract read: its span in `OcrResult.text` and its box `[x, y, w, h]`."""

    text: str
    start: int
    end: int
    bbox: tuple[int, int, int, int]
    confidence: float


@dataclass
class OcrResult:
    """The text read from one image; `incomplete` when the time budget cut OCR short."""

    text: str
    words: list[OcrWord] = field(default_factory=list)
    incomplete: bool = False
    languages: tuple[str, ...] = ()
    elapsed_ms: float = 0.0

    def bbox_for_span(self, start: int, end: int) -> list[int] | None:
        """The union box `[x, y, w, h]` of the words overlapping `text[start:end]`."""
        boxes = [w.bbox for w in self.words if w.start < end and w.end > start]
        if not boxes:
            return None
        x0 = min(b[0] for b in boxes)
        y0 = min(b[1] for b in boxes)
        x1 = max(b[0] + b[2] for b in boxes)
        y1 = max(b[1] + b[3] for b in boxes)
        return [x0, y0, x1 - x0, y1 - y0]


class OcrEngine(Protocol):
    """Reads the text in an image within a time budget, never hanging past it."""

    def read(self, image: Image.Image, budget_s: float) -> OcrResult:
        """Return what could be read within `budget_s` seconds."""
        ...
