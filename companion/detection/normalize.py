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
from bisect import bisect_right
from itertools import accumulate

_LEGAL_FORMS = [
    "gmbh & co kg", "gmbh", "ag", "kg", "ug", "ltd", "limited", "co ltd", "co", "llc", "inc",
    "corp", "corporation", "company", "s r l", "srl", "s p a", "spa", "s a", "sa", "sarl", "sas",
    "b v", "bv", "n v", "nv", "ab", "oy", "as", "a s", "aps", "sp z o o", "pty ltd", "pty", "plc",
    "lp", "llp", "s de rl", "sl", "s l", "kft", "s r o", "sro", "有限公司", "股份有限公司", "公司",
]
_LEGAL_WORDS = {form.rsplit(" ", 1)[-1] for form in _LEGAL_FORMS}
# Longest first so "pty ltd" wins over "ltd"; only trailing forms are stripped.
_LEGAL_SUFFIX = re.compile(
    r"(?:\s+|(?<=[\u4e00-\u9fff]))(?:" + "|".join(
        re.escape(f) for f in sorted(_LEGAL_FORMS, key=len, reverse=True)
    ) + r")$"
)


def is_cjk(ch: str) -> bool:
    """True for CJK ideographs and kana: scripts written without spaces between words."""
    code = ord(ch)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF
            or 0x3040 <= code <= 0x30FF)


class NormalizedText:
    """A normalized copy of a text and, per normalized character, its original index.

    The map (`origin`) is worked out the first time it is asked for: most posts match no
    list term, and the map costs a Python step per token (20 ms for 100,000 characters)."""

    __slots__ = ("text", "_origin", "_source", "_tokens")

    def __init__(self, text: str, origin: tuple[int, ...] | None = None, source: str | None = None):
        self.text = text
        self._origin = origin
        self._source = source  # the original text, to build the map from when it is asked for
        self._tokens = None

    @property
    def origin(self) -> tuple[int, ...]:
        if self._origin is None:
            self._origin = _with_map(self._source).origin
        return self._origin

    def span_in_original(self, start: int, end: int) -> tuple[int, int]:
        """Original `[start, end)` offsets of the normalized span `[start, end)`."""
        if self._origin is None and self._source is not None and self._source.isascii():
            return self._ascii_offset(start), self._ascii_offset(end - 1) + 1
        origin = self.origin
        return origin[start], origin[end - 1] + 1

    def _ascii_offset(self, at: int) -> int:
        """`origin[at]` for ASCII text, from the tokens' offsets instead of the whole map: in
        ASCII every token keeps its length and one space follows it, which maps to its end."""
        if self._tokens is None:
            spans = [m.span() for m in _TOKEN.finditer(self._source)]
            lengths = [e - s for s, e in spans]
            self._tokens = (list(accumulate((n + 1 for n in lengths[:-1]), initial=0)),
                            [s for s, _ in spans], lengths)
        starts, sources, lengths = self._tokens
        i = bisect_right(starts, at) - 1
        return sources[i] + min(at - starts[i], lengths[i])


def _fold(ch: str) -> str:
    """Casefold and strip diacritics from one character ("É" -> "e", "ß" -> "ss")."""
    decomposed = unicodedata.normalize("NFKD", ch.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Runs of letters and digits (CJK ideographs are letters too); everything else separates.
_TOKEN = re.compile(r"[^\W_]+")
_CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_GAP = re.compile(f"(?<=[{_CJK_CLASS}]) (?=[{_CJK_CLASS}])")


_CJK_OR_KANA = "\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\u3040-\u30ff"  # `is_cjk`
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK_OR_KANA}]) (?=[{_CJK_OR_KANA}])")


def normalize_with_map(text: str) -> NormalizedText:
    """Normalize `text` for matching and keep, per output character, its source index.

    The text is made in a few passes over the whole string: the tokens (runs of letters and
    digits) joined by one space, none between two CJK tokens, then folded at once; folding
    works character by character (casefold, NFKD, combining marks dropped), so this is the
    token-by-token result of `_with_map`, which builds the map when it is first needed.
    """
    joined = _SPACE_BETWEEN_CJK.sub("", " ".join(_TOKEN.findall(text)))
    if joined.isascii():
        return NormalizedText(joined.lower(), source=text)
    decomposed = unicodedata.normalize("NFKD", joined.casefold())
    if any(map(unicodedata.combining, decomposed)):
        decomposed = "".join(c for c in decomposed if not unicodedata.combining(c))
    return NormalizedText(decomposed, source=text)


def _with_map(text: str) -> NormalizedText:
    """`normalize_with_map` token by token, with the map: a 3,000-character post costs a few
    hundred tokens, not a Python step per character."""
    out: list[str] = []
    origin: list[int] = []
    prev_end, prev_cjk = -1, False
    for m in _TOKEN.finditer(text):
        token, start = m.group(), m.start()
        if out and not (prev_cjk and is_cjk(token[0])):
            out.append(" ")
            origin.append(prev_end)
        folded = token.lower() if token.isascii() else _fold_token(token)
        if len(folded) == len(token):
            out.append(folded)
            origin.extend(range(start, m.end()))
        else:
            for offset, ch in enumerate(token):
                piece = _fold(ch)
                out.append(piece)
                origin.extend([start + offset] * len(piece))
        prev_end, prev_cjk = m.end(), is_cjk(token[-1])
    return NormalizedText("".join(out), tuple(origin))


def _fold_token(token: str) -> str:
    """Fold a whole token; when lengths differ the caller falls back to per character."""
    decomposed = unicodedata.normalize("NFKD", token.casefold())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return folded if len(folded) == len(token) else ""


def normalize(text: str) -> str:
    """The normalized form alone, without the offset map (fast: for list entries)."""
    if text.isascii():
        lowered = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        lowered = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _CJK_GAP.sub("", " ".join(_TOKEN.findall(lowered)))


def strip_legal_form(normalized_name: str) -> str:
    """Drop trailing legal forms: "hansen maschinenbau gmbh" -> "hansen maschinenbau"."""
    if normalized_name.rsplit(" ", 1)[-1] not in _LEGAL_WORDS and not normalized_name.endswith("公司"):
        return normalized_name
    previous = None
    name = normalized_name
    while name != previous:
        previous = name
        name = _LEGAL_SUFFIX.sub("", name).strip()
    return name or normalized_name


def digits_only(text: str) -> str:
    """Phone numbers compare by their digits: "+49 40 3012-7788" -> "494030127788"."""
    return "".join(filter(str.isdigit, text))
