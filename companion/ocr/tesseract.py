"""Tesseract OCR for attachments: English first, other languages only where English was unsure.

    TesseractOcr().read(image, budget_s) -> OcrResult

1. `preprocess.prepare` makes an upright, grayscale, ~1600 px, deskewed copy without table rules.
2. Pass one reads the whole copy with the first language (`eng`), `--psm 11` (sparse text:
   page mode 3 lost whole table bodies on photographed quotes).
3. Pass two reads the lines pass one was unsure of with the other languages (`chi_sim`), all
   in one strip; word by word the more confident reading wins (see `reread`).
4. Words are put in reading order (`layout`), Chinese without spaces, boxes mapped back to
   the image as displayed.

The time budget is a hard deadline: a Tesseract still running at the deadline is killed and
the words read so far come back with `incomplete=True`, so a slow laptop delays a post by
at most the budget and the user is told the image was not fully checked.

Raises `OcrError` ("ocr_unavailable", "ocr_failed") when Tesseract cannot run at all.
"""

from __future__ import annotations

import time

from PIL import Image

from companion.ocr import layout, reread
from companion.ocr.base import OcrResult, OcrWord
from companion.ocr.layout import PlacedWord
from companion.ocr.preprocess import PreparedImage, prepare
from companion.ocr.runner import (OcrError, OcrTimeout, RawWord, installed_languages, run_tesseract,
                                  tesseract_version)

__all__ = ["TesseractOcr", "OcrError", "tesseract_version", "installed_languages"]

MIN_CONFIDENCE = 20.0  # below this a word is noise (texture, rule fragments), not text
MIN_SECOND_PASS_S = 0.3  # loading a language model alone takes ~0.15 s; less is not worth starting


class TesseractOcr:
    """The OCR engine behind `OcrEngine`: reads English and Chinese within a time budget."""

    def __init__(self, languages: tuple[str, ...] = ("eng", "chi_sim"), psm: int = 11,
                 min_confidence: float = MIN_CONFIDENCE):
        """Construct without touching Tesseract; `languages[0]` reads the page, the rest re-read."""
        if not languages:
            raise ValueError("at least one OCR language is needed")
        self.languages = tuple(languages)
        self.psm = psm
        self.min_confidence = min_confidence

    def read(self, image: Image.Image, budget_s: float) -> OcrResult:
        """The text in `image` with word boxes in displayed coordinates, within `budget_s` seconds."""
        started = time.monotonic()
        deadline = started + max(0.0, budget_s)
        prepared = prepare(image)
        try:
            first = run_tesseract(prepared.image, self.languages[0], self.psm, deadline)
        except OcrTimeout:
            return self._result([], prepared, started, (), incomplete=True)
        words = [_placed(w) for w in first]
        used = (self.languages[0],)
        regions = reread.suspect_regions(first, prepared.image.size) if len(self.languages) > 1 else []
        incomplete = False
        if regions:
            if deadline - time.monotonic() < MIN_SECOND_PASS_S:
                incomplete = True
            else:
                try:
                    words = reread.merge_readings(words, self._second_pass(prepared, regions, deadline))
                    used = self.languages
                except OcrTimeout:
                    incomplete = True
        return self._result(words, prepared, started, used, incomplete)

    def _second_pass(self, prepared: PreparedImage, regions, deadline: float) -> list[PlacedWord]:
        """Words read from the unsure lines with the other languages, in page coordinates."""
        strip = reread.build_strip(prepared.image, regions)
        raw = run_tesseract(strip.image, "+".join(self.languages[1:]), self.psm, deadline)
        placed = (strip.to_page(w) for w in raw)
        return [w for w in placed if w is not None]

    def _result(self, words: list[PlacedWord], prepared: PreparedImage, started: float,
                languages: tuple[str, ...], incomplete: bool) -> OcrResult:
        """Drop noise, order the words, map boxes to the displayed image."""
        kept = [w for w in words if w.confidence >= self.min_confidence and not reread.is_noise(w)]
        text, spans = layout.assemble_text(kept)
        ocr_words = [OcrWord(w.text, start, end, prepared.to_original(w.box), round(w.confidence, 1))
                     for w, start, end in spans]
        return OcrResult(text=text, words=ocr_words, incomplete=incomplete, languages=languages,
                         elapsed_ms=round((time.monotonic() - started) * 1000.0, 1))

    def health(self) -> dict:
        """What /health reports: the Tesseract version and which of our languages are installed."""
        installed = installed_languages()
        return {"tesseract_version": tesseract_version(), "languages": list(self.languages),
                "missing_languages": [lang for lang in self.languages if lang not in installed]}


def _placed(word: RawWord) -> PlacedWord:
    """A first-pass word on the page (pass one reads the page itself, so no offset)."""
    return PlacedWord(word.text, (word.left, word.top, word.width, word.height), word.confidence)
