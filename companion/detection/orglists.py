"""Finding the org's own names in a post: clients, competitors, products, the allow list.

Lists can hold 100,000 names, so one regex (Presidio's `deny_list`) is out: it takes
seconds to build and hundreds of milliseconds per post, and its word boundaries miss
names inside Chinese text. Instead every entry is normalized (see `normalize.py`) into
one Aho-Corasick automaton that scans a post in linear time. OCR text gets a second,
tolerant pass with rapidfuzz, because Tesseract reads "Hansen Maschlnenbau".
Phone numbers compare by their trailing digits, whatever the formatting.
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

import ahocorasick
from rapidfuzz import fuzz

from companion.detection.normalize import (NormalizedText, digits_only, is_cjk, normalize,
                                           strip_legal_form)

_PHONE_RUN = re.compile(r"\+?\d[\d\s().\-/]{5,}\d")
_PHONE_KEY_DIGITS = 8
_FUZZY_CUTOFF = 88.0
_FUZZY_MIN_LEN = 6
_PAUSE_S = 0.005  # what the warm-up's fuzzy indexing leaves a check between batches


@dataclass(frozen=True)
class ListEntry:
    """What a list term stands for: e.g. kind "client", label the client's name."""

    kind: str
    label: str
    case_sensitive_form: str | None = None


# A list entry as a matcher keeps it: (kind, label, case_sensitive_form). Plain tuples, because the
# start cache reads 100,000 of them back ten times faster than as many ListEntry objects; a match
# turns its row into a ListEntry.
_Row = tuple[str, str, "str | None"]


@dataclass(frozen=True)
class ListMatch:
    """A list term found in a text, at original offsets."""

    start: int
    end: int
    entry: ListEntry
    score: float = 1.0


def _latin_boundary(text: str, index: int) -> bool:
    """A latin term must not start or end inside a latin word ("pks" in "upkstream")."""
    if index < 0 or index >= len(text):
        return True
    ch = text[index]
    return not (ch.isalnum() and not is_cjk(ch))


class TermMatcher:
    """Aho-Corasick over normalized terms, reporting longest non-overlapping matches.

    A name with a legal form is stored without it ("hansen maschinenbau"): posts rarely
    spell "GmbH", and one key per name keeps a 100,000-name list quick to build.
    """

    def __init__(self, terms: Iterable[tuple[str, ListEntry]]):
        keys: list[str] = []
        entries: list[tuple[_Row, ...]] = []
        index: dict[str, int] = {}
        for term, entry in terms:
            row = (entry.kind, entry.label, entry.case_sensitive_form)
            for key in _list_keys(term):
                position = index.get(key)
                if position is None:
                    index[key] = len(keys)
                    keys.append(key)
                    entries.append((row,))
                else:
                    entries[position] += (row,)
        automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for key, position in index.items():
            automaton.add_word(key, position)
        if keys:
            automaton.make_automaton()
        self.__setstate__({"keys": keys, "entries": entries, "automaton": automaton})

    def __getstate__(self) -> dict:
        """What the start cache keeps (detection/client_cache.py): keys, rows and the built automaton."""
        return {"keys": self._keys, "entries": self._entries, "automaton": self._automaton}

    def __setstate__(self, state: dict) -> None:
        self._keys: list[str] = state["keys"]
        self._entries: list[tuple[_Row, ...]] = state["entries"]
        self._automaton = state["automaton"]
        self.size = len(self._keys)
        self._fuzzy_index: dict[str, list[int]] | None = None
        self._fuzzy_lock = threading.Lock()

    def find(self, norm: NormalizedText, original: str) -> list[ListMatch]:
        """Exact matches (after normalization) of any term in the text."""
        if not self.size:
            return []
        found = []
        for end, position in self._automaton.iter(norm.text):
            key = self._keys[position]
            start = end - len(key) + 1
            if not (_latin_boundary(norm.text, start - 1) and _latin_boundary(norm.text, end + 1)):
                continue
            o_start, o_end = norm.span_in_original(start, end + 1)
            for row in self._entries[position]:
                form = row[2]
                if form is None or form in original[o_start:o_end]:
                    found.append(ListMatch(o_start, o_end, ListEntry(*row)))
                    break
        return longest_first(found)

    def fuzzy_index(self, pause_every: int = 0) -> dict[str, list[int]]:
        """Terms by the first three letters of each word, built on first use (OCR only).

        The warm-up after a start builds it beside the first checks (`pause_every`): indexing
        100,000 clients holds the GIL for 0.15 s of CPU, and a check that came in meanwhile got
        the GIL back only every few milliseconds, each time it let go of it (the first check
        after a start with 100,000 clients answered 0.2-0.4 s after health, against tens of
        milliseconds later). So it sleeps 5 ms after every `pause_every` terms, and the check
        runs in between."""
        with self._fuzzy_lock:
            if self._fuzzy_index is None:
                by_prefix: dict[str, list[int]] = defaultdict(list)
                for position, key in enumerate(self._keys):
                    if len(key) >= _FUZZY_MIN_LEN or (len(key) >= 4 and is_cjk(key[0])):
                        for prefix in {token[:3] for token in key.split()}:
                            by_prefix[prefix].append(position)
                    if pause_every and position % pause_every == pause_every - 1:
                        time.sleep(_PAUSE_S)
                self._fuzzy_index = dict(by_prefix)
            return self._fuzzy_index

    def find_fuzzy(self, norm: NormalizedText, original: str = "") -> list[ListMatch]:
        """OCR-tolerant matches: windows of words close to a term (ratio >= 88), and
        exact matches once stray OCR letters between Chinese characters are removed."""
        if not self.size:
            return []
        found = self.find(_without_ocr_noise(norm), original) if original else []
        by_prefix = self.fuzzy_index()
        tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", norm.text)]
        for i in range(len(tokens)):
            for width in range(1, 5):
                if i + width > len(tokens):
                    break
                a, b = tokens[i][0], tokens[i + width - 1][1]
                window = _drop_ocr_noise(norm.text[a:b])
                candidates = {p for token in window.split() for p in by_prefix.get(token[:3], ())}
                for position in candidates:
                    key = self._keys[position]
                    core = strip_legal_form(window)
                    if min(abs(len(key) - len(window)), abs(len(key) - len(core))) <= 3 and max(
                            fuzz.ratio(window, key), fuzz.ratio(core, key)) >= _FUZZY_CUTOFF:
                        start, end = norm.span_in_original(a, b)
                        found.append(ListMatch(start, end, ListEntry(*self._entries[position][0]), 0.85))
        return longest_first(found)


def _without_ocr_noise(norm: NormalizedText) -> NormalizedText:
    """The normalized text with stray OCR letters between Chinese characters cut out."""
    keep = [True] * len(norm.text)
    for m in _NOISE_BETWEEN_CJK.finditer(norm.text):
        keep[m.start():m.end()] = [False] * (m.end() - m.start())
    text = "".join(ch for ch, k in zip(norm.text, keep) if k)
    origin = tuple(o for o, k in zip(norm.origin, keep) if k)
    return NormalizedText(text, origin)


_MODEL_PARTS = re.compile(r"^[a-z]+(?: ?[a-z0-9]+)*$")
_DIGIT = re.compile(r"[0-9]")  # after _MODEL_PARTS, the only digits a key can hold


def _list_keys(term: str) -> tuple[str, ...]:
    """The automaton keys of a list entry (none when too short to match safely).

    Model numbers are written "KT-770", "KT 770" and "KT770": an entry that mixes
    letters and digits also gets its compact form.
    """
    normalized = normalize(term)
    stripped = strip_legal_form(normalized)
    key = stripped if len(stripped) >= 6 or " " in stripped else normalized
    if not (len(key) >= 3 or (len(key) >= 2 and any(is_cjk(c) for c in key))):
        return ()
    compact = key.replace(" ", "")
    if compact != key and _MODEL_PARTS.match(key) and _DIGIT.search(key):
        return key, compact
    return (key,)


_NOISE_BETWEEN_CJK = re.compile(r"(?<=[\u4e00-\u9fff]) (?:[a-z0-9]{1,2} )?(?=[\u4e00-\u9fff])")


def _drop_ocr_noise(window: str) -> str:
    """Tesseract drops stray letters into Chinese lines ("华美 ER 贸易"): remove them."""
    return _NOISE_BETWEEN_CJK.sub("", window)


def longest_first(matches: list[ListMatch]) -> list[ListMatch]:
    """Keep the longest of overlapping matches, in text order."""
    kept: list[ListMatch] = []
    for m in sorted(matches, key=lambda m: (-(m.end - m.start), m.start)):
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


class PhoneMatcher:
    """Phone numbers from a list, compared by their digits whatever the formatting.

    "+49 40 3012 7788" and "040 3012 7788" are the same number: the shorter digit string
    (without its trunk 0) must be the tail of the longer, and at least eight digits long.
    Two numbers that merely share their last eight digits are different numbers.
    """

    def __init__(self, numbers: Iterable[tuple[str, ListEntry]]):
        self._by_tail: dict[str, list[tuple[str, _Row]]] = defaultdict(list)
        for number, entry in numbers:
            digits = digits_only(number).lstrip("0")
            if len(digits) >= _PHONE_KEY_DIGITS:
                self._by_tail[digits[-_PHONE_KEY_DIGITS:]].append((digits, (entry.kind, entry.label,
                                                                             entry.case_sensitive_form)))

    def lookup(self, number: str) -> ListEntry | None:
        if not self._by_tail:
            return None
        digits = digits_only(number).lstrip("0")
        if len(digits) < _PHONE_KEY_DIGITS:
            return None
        for known, row in self._by_tail.get(digits[-_PHONE_KEY_DIGITS:], ()):
            if known.endswith(digits) or digits.endswith(known):
                return ListEntry(*row)
        return None

    def find(self, text: str) -> list[ListMatch]:
        found = []
        for run in _PHONE_RUN.finditer(text):
            entry = self.lookup(run.group())
            if entry:
                found.append(ListMatch(run.start(), run.end(), entry))
        return found

    def __contains__(self, number: str) -> bool:
        return self.lookup(number) is not None
