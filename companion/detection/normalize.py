"""Text normalization that keeps a map back to the original characters.

Client names arrive in every shape: "HANSEN Maschinenbau", "Dupont Equipement" for
"Dupont Équipement", "华 美 贸 易" from OCR. Matching happens on a normalized copy —
casefolded, diacritics stripped, punctuation turned into single spaces, spaces between
CJK characters removed — and every normalized character remembers which original
character it came from, so a match can be reported at its real offsets.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_LEGAL_FORMS = [
    "gmbh & co kg", "gmbh", "ag", "kg", "ug", "ltd", "limited", "co ltd", "co", "llc", "inc",
    "corp", "corporation", "company", "s r l", "srl", "s p a", "spa", "s a", "sa", "sarl", "sas",
    "b v", "bv", "n v", "nv", "ab", "oy", "as", "a s", "aps", "sp z o o", "pty ltd", "pty", "plc",
    "lp", "llp", "s de rl", "sl", "s l", "kft", "s r o", "sro", "有限公司", "股份有限公司", "公司",
]
# Longest first so "pty ltd" wins over "ltd"; only trailing forms are stripped.
_LEGAL_SUFFIX = re.compile(
    r"(?:\s+|(?<=[\u4e00-\u9fff]))(?:" + "|".join(
        re.escape(f) for f in sorted(_LEGAL_FORMS, key=len, reverse=True)
    ) + r")$"
)


def is_cjk(ch: str) -> bool:
    """True for the CJK ideographs and punctuation Tesseract splits with spaces."""
    code = ord(ch)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x3000 <= code <= 0x303F
            or 0xFF00 <= code <= 0xFFEF or 0xF900 <= code <= 0xFAFF)


@dataclass(frozen=True)
class NormalizedText:
    """A normalized copy of a text and, per normalized character, its original index."""

    text: str
    origin: tuple[int, ...]

    def span_in_original(self, start: int, end: int) -> tuple[int, int]:
        """Original `[start, end)` offsets of the normalized span `[start, end)`."""
        return self.origin[start], self.origin[end - 1] + 1


def _fold(ch: str) -> str:
    """Casefold and strip diacritics from one character ("É" -> "e", "ß" -> "ss")."""
    decomposed = unicodedata.normalize("NFKD", ch.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize_with_map(text: str) -> NormalizedText:
    """Normalize `text` for matching and keep, per output character, its source index."""
    out: list[str] = []
    origin: list[int] = []
    pending_space = -1
    for index, ch in enumerate(text):
        if ch.isalnum() or is_cjk(ch) and not unicodedata.category(ch).startswith("P"):
            folded = _fold(ch)
            if pending_space >= 0 and out and not (is_cjk(ch) and is_cjk(out[-1])):
                out.append(" ")
                origin.append(pending_space)
            pending_space = -1
            for piece in folded:
                out.append(piece)
                origin.append(index)
        elif out and pending_space < 0:
            pending_space = index
    return NormalizedText("".join(out), tuple(origin))


def normalize(text: str) -> str:
    """The normalized form alone (for list entries and allow-list comparisons)."""
    return normalize_with_map(text).text


def strip_legal_form(normalized_name: str) -> str:
    """Drop trailing legal forms: "hansen maschinenbau gmbh" -> "hansen maschinenbau"."""
    previous = None
    name = normalized_name
    while name != previous:
        previous = name
        name = _LEGAL_SUFFIX.sub("", name).strip()
    return name or normalized_name


def digits_only(text: str) -> str:
    """Phone numbers compare by their digits: "+49 40 3012-7788" -> "494030127788"."""
    return "".join(ch for ch in text if ch.isdigit())
