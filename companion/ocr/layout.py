"""Put the words OCR found back into reading order and into one text the detection engine can match.

Tesseract's sparse-text mode (`--psm 11`, the one that keeps table bodies) returns cell-sized
fragments in no useful order. We rebuild lines geometrically on the deskewed image: words
whose vertical centres agree form a line, lines run top to bottom, words left to right. A
quotation row thus reads "M8 hex bolt zinc 20,000 USD 0.42/pc FOB Ningbo", keeping a price
next to its product and terms.

Chinese is written without spaces, but Tesseract reports "单价", "2.35", "美元", "/", "件"
as separate words; we join two words with no space when both sides of the join are CJK, so
"报价单" matches as written. `normalize_ocr_text` does the same for text from elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Han ideographs (incl. extension A and compatibility), CJK punctuation, kana, full-width forms.
_CJK_CLASS = "\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_CHAR = re.compile(f"[{_CJK_CLASS}]")
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK_CLASS}])[ \t]+(?=[{_CJK_CLASS}])")
LINE_CENTRE_TOLERANCE = 0.5  # fraction of the smaller height two centres may differ by
DOMAIN_GAP_FRACTION = 0.3  # gap/height below which "name." "com" is one address


def is_cjk(char: str) -> bool:
    """True for a Chinese/Japanese character or CJK punctuation, which take no spaces around them."""
    return bool(_CJK_CHAR.fullmatch(char))


def contains_cjk(text: str) -> bool:
    """True when any character of `text` is CJK."""
    return bool(_CJK_CHAR.search(text))


def normalize_ocr_text(text: str) -> str:
    """Remove the spaces OCR puts between two CJK characters ("报 价 单" -> "报价单")."""
    return _SPACE_BETWEEN_CJK.sub("", text)


@dataclass(frozen=True)
class PlacedWord:
    """A word with its box `(x, y, w, h)` on the deskewed OCR image and Tesseract's confidence."""

    text: str
    box: tuple[int, int, int, int]
    confidence: float

    @property
    def centre_y(self) -> float:
        """Vertical centre, used to tell which line the word sits on."""
        return self.box[1] + self.box[3] / 2.0


@dataclass
class _Line:
    words: list[PlacedWord]
    centre_sum: float
    height_sum: float

    @property
    def centre(self) -> float:
        return self.centre_sum / len(self.words)

    @property
    def height(self) -> float:
        return self.height_sum / len(self.words)

    def add(self, word: PlacedWord) -> None:
        self.words.append(word)
        self.centre_sum += word.centre_y
        self.height_sum += word.box[3]


def _is_punctuation(text: str) -> bool:
    return not any(ch.isalnum() for ch in text) and not contains_cjk(text)


def _joins_tightly(before: PlacedWord, after: PlacedWord) -> bool:
    """Whether two neighbouring words are written without a space between them.

    CJK words, and CJK next to punctuation ("美元" "/" "件" -> "美元/件"). Also an e-mail
    address or domain that Tesseract split at a dot ("bellinicasa." "it"): the gap there is
    under a third of the text height, where a real space measured 0.37 or more.
    """
    first, second = before.text, after.text
    before_cjk, after_cjk = is_cjk(first[-1]), is_cjk(second[0])
    if (before_cjk and (after_cjk or _is_punctuation(second))) or (after_cjk and _is_punctuation(first)):
        return True
    gap = after.box[0] - (before.box[0] + before.box[2])
    at_dot = first[-1] in ".@" or second[0] in ".@"
    return at_dot and gap < DOMAIN_GAP_FRACTION * max(before.box[3], after.box[3])


def group_lines(words: list[PlacedWord]) -> list[list[PlacedWord]]:
    """Words grouped into lines (top to bottom), each line's words left to right."""
    lines: list[_Line] = []
    for word in sorted(words, key=lambda w: w.centre_y):
        best, best_gap = None, None
        for line in lines:
            gap = abs(word.centre_y - line.centre)
            if gap <= LINE_CENTRE_TOLERANCE * min(word.box[3], line.height) and (best_gap is None or gap < best_gap):
                best, best_gap = line, gap
        if best is None:
            lines.append(_Line([word], word.centre_y, word.box[3]))
        else:
            best.add(word)
    lines.sort(key=lambda line: line.centre)
    return [sorted(line.words, key=lambda w: w.box[0]) for line in lines]


def assemble_text(words: list[PlacedWord]) -> tuple[str, list[tuple[PlacedWord, int, int]]]:
    """The text of `words` in reading order and each word's `(start, end)` span in it."""
    parts: list[str] = []
    spans: list[tuple[PlacedWord, int, int]] = []
    length = 0
    for line_number, line in enumerate(group_lines(words)):
        if line_number:
            parts.append("\n")
            length += 1
        previous: PlacedWord | None = None
        for word in line:
            if previous is not None and not _joins_tightly(previous, word):
                parts.append(" ")
                length += 1
            parts.append(word.text)
            spans.append((word, length, length + len(word.text)))
            length += len(word.text)
            previous = word
    return "".join(parts), spans
