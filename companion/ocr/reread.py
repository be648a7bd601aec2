"""Second pass: re-read only the lines the first (English) pass was unsure of, with the other languages.

Why not `-l eng+chi_sim` on the whole page? On our 12 MP photo benchmark it took about twice
as long as `eng` alone, and most attachments are English. The English model reads Chinese as
low-confidence junk ("RUIPRADARAA" at 0% for 深圳华美贸易有限公司), so its confidence is a cheap
detector for "there may be Chinese here". We crop the unsure lines, stack them into one small
strip (one Tesseract start instead of one per line), read the strip with the other languages,
and keep, word by word, whichever reading is more confident. As a bonus the second model
sometimes fixes an English misread ("0.42/pe" at 66% becomes "0.42/pc" at 91%).
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from companion.ocr.layout import PlacedWord, contains_cjk
from companion.ocr.runner import RawWord

SUSPECT_CONFIDENCE = 75.0  # first-pass words below this get a second reading
STRIP_GAP = 24  # px of blank paper between stacked crops, so lines do not merge
OVERLAP_FRACTION = 0.5  # two boxes are "the same word" when they share this much of the smaller

Box = tuple[int, int, int, int]


RULE_FRAGMENTS = set("|¦[]{}_~=—–")
PUNCTUATION_MIN_CONFIDENCE = 60.0


def is_meaningful(text: str) -> bool:
    """Words with a letter, digit or CJK character; table-rule fragments like "|" are not."""
    return any(ch.isalnum() for ch in text) or contains_cjk(text)


def is_noise(word: PlacedWord) -> bool:
    """Leftovers of table rules and texture ("|", "[", "~"), or punctuation read unsurely.

    Confident punctuation stays: "/" in "美元/件" is what makes it a unit price.
    """
    if is_meaningful(word.text):
        return False
    return all(ch in RULE_FRAGMENTS for ch in word.text) or word.confidence < PUNCTUATION_MIN_CONFIDENCE


def suspect_regions(words: list[RawWord], size: tuple[int, int]) -> list[Box]:
    """Boxes of the lines holding at least one unsure word, padded a little, overlaps merged."""
    lines: dict[tuple[int, int, int], list[RawWord]] = {}
    for word in words:
        lines.setdefault(word.line_key, []).append(word)
    regions = []
    for line in lines.values():
        if not any(w.confidence < SUSPECT_CONFIDENCE and is_meaningful(w.text) for w in line):
            continue
        x0 = min(w.left for w in line)
        y0 = min(w.top for w in line)
        x1 = max(w.left + w.width for w in line)
        y1 = max(w.top + w.height for w in line)
        pad = max(6, (y1 - y0) // 4)
        regions.append(_clip((x0 - pad, y0 - pad, x1 + pad, y1 + pad), size))
    return [_to_xywh(r) for r in _merge_overlapping(regions)]


def _clip(corners: tuple[int, int, int, int], size: tuple[int, int]) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = corners
    return max(0, x0), max(0, y0), min(size[0], x1), min(size[1], y1)


def _to_xywh(corners: tuple[int, int, int, int]) -> Box:
    x0, y0, x1, y1 = corners
    return (x0, y0, x1 - x0, y1 - y0)


def _merge_overlapping(regions: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Union of corner boxes that intersect, so no text is read twice from two crops."""
    merged: list[tuple[int, int, int, int]] = []
    for region in sorted(regions):
        for i, other in enumerate(merged):
            if region[0] < other[2] and other[0] < region[2] and region[1] < other[3] and other[1] < region[3]:
                merged[i] = (min(region[0], other[0]), min(region[1], other[1]),
                             max(region[2], other[2]), max(region[3], other[3]))
                break
        else:
            merged.append(region)
    return merged if len(merged) == len(regions) else _merge_overlapping(merged)


@dataclass(frozen=True)
class Strip:
    """Crops of the page stacked top to bottom; `offsets[i]` is where region `i` starts in it."""

    image: Image.Image
    regions: list[Box]
    offsets: list[int]

    def to_page(self, word: RawWord) -> PlacedWord | None:
        """A strip word moved back onto the page, or None if it lies in a gap between crops."""
        centre = word.top + word.height / 2.0
        for region, offset in zip(self.regions, self.offsets):
            if offset <= centre < offset + region[3]:
                box = (word.left - STRIP_GAP + region[0], word.top - offset + region[1], word.width, word.height)
                return PlacedWord(word.text, box, word.confidence)
        return None


def build_strip(page: Image.Image, regions: list[Box]) -> Strip:
    """Stack the crops of `regions` into one image with blank gaps between them."""
    width = max(r[2] for r in regions) + 2 * STRIP_GAP
    height = sum(r[3] for r in regions) + STRIP_GAP * (len(regions) + 1)
    strip = Image.new("L", (width, height), 255)
    offsets, y = [], STRIP_GAP
    for x0, y0, w, h in regions:
        strip.paste(page.crop((x0, y0, x0 + w, y0 + h)), (STRIP_GAP, y))
        offsets.append(y)
        y += h + STRIP_GAP
    return Strip(strip, regions, offsets)


def _overlaps(a: Box, b: Box) -> bool:
    """True when `a` and `b` cover the same word: they share most of the smaller box."""
    ix = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    iy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if ix <= 0 or iy <= 0:
        return False
    smaller = min(a[2] * a[3], b[2] * b[3])
    return smaller > 0 and ix * iy >= OVERLAP_FRACTION * smaller


def merge_readings(first: list[PlacedWord], second: list[PlacedWord]) -> list[PlacedWord]:
    """First-pass words, with the passages the second pass read better replaced by its words.

    Words that overlap form groups (one English junk word may cover five Chinese words).
    A group takes the second reading when it is more confident and either brings CJK text
    or is a one-for-one fix; otherwise the English pass, which segments Latin text better
    ("bellinicasa.it" rather than "bellinicasa" + ".it"), keeps its words. Second-pass words
    covering nothing fill in text the first pass missed.
    """
    groups = _overlap_groups(first, second)
    result: list[PlacedWord] = []
    for firsts, seconds in groups:
        if not firsts or (seconds and _second_wins(firsts, seconds)):
            result.extend(seconds)
        else:
            result.extend(firsts)
    return result


def _second_wins(firsts: list[PlacedWord], seconds: list[PlacedWord]) -> bool:
    """True when the second reading of one group of overlapping words should replace the first."""
    if _mean_confidence(seconds) <= _mean_confidence(firsts):
        return False
    return any(contains_cjk(w.text) for w in seconds) or (len(firsts) == 1 and len(seconds) == 1)


def _mean_confidence(words: list[PlacedWord]) -> float:
    """Confidence averaged over characters, so a long word counts more than a stray mark."""
    chars = sum(len(w.text) for w in words)
    return sum(w.confidence * len(w.text) for w in words) / max(1, chars)


def _overlap_groups(first: list[PlacedWord], second: list[PlacedWord]):
    """Connected groups of first- and second-pass words whose boxes overlap, as (firsts, seconds)."""
    parent = list(range(len(first) + len(second)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, f in enumerate(first):
        for j, p in enumerate(second):
            if _overlaps(f.box, p.box):
                parent[root(i)] = root(len(first) + j)
    groups: dict[int, tuple[list[PlacedWord], list[PlacedWord]]] = {}
    for i, f in enumerate(first):
        groups.setdefault(root(i), ([], []))[0].append(f)
    for j, p in enumerate(second):
        groups.setdefault(root(len(first) + j), ([], []))[1].append(p)
    return list(groups.values())
