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


@dataclass(frozen=True)
class ListEntry:
    """What a list term stands for: e.g. kind "client", label the client's name."""

    kind: str
    label: str
    case_sensitive_form: str | None = None


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
    """Aho-Corasick over normalized terms, reporting longest non-overlapping matches."""

    def __init__(self, terms: Iterable[tuple[str, ListEntry]]):
        self._automaton = ahocorasick.Automaton()
        self._by_token: dict[str, set[str]] = defaultdict(set)
        self._entries: dict[str, list[ListEntry]] = defaultdict(list)
        for term, entry in terms:
            for key in {normalize(term), strip_legal_form(normalize(term))}:
                if len(key) >= 3 or any(is_cjk(c) for c in key) and len(key) >= 2:
                    self._entries[key].append(entry)
        for key, entries in self._entries.items():
            self._automaton.add_word(key, (key, tuple(entries)))
            if len(key) >= _FUZZY_MIN_LEN:
                for token in key.split():
                    self._by_token[token[:3]].add(key)
        self.size = len(self._entries)
        if self.size:
            self._automaton.make_automaton()

    def find(self, norm: NormalizedText, original: str) -> list[ListMatch]:
        """Exact matches (after normalization) of any term in the text."""
        if not self.size:
            return []
        found = []
        for end, (key, entries) in self._automaton.iter(norm.text):
            start = end - len(key) + 1
            if not (_latin_boundary(norm.text, start - 1) and _latin_boundary(norm.text, end + 1)):
                continue
            o_start, o_end = norm.span_in_original(start, end + 1)
            for entry in entries:
                form = entry.case_sensitive_form
                if form is None or form in original[o_start:o_end]:
                    found.append(ListMatch(o_start, o_end, entry))
                    break
        return longest_first(found)

    def find_fuzzy(self, norm: NormalizedText) -> list[ListMatch]:
        """OCR-tolerant matches: windows of words close to a term (ratio >= 88)."""
        tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", norm.text)]
        found = []
        for i in range(len(tokens)):
            for width in range(1, 5):
                if i + width > len(tokens):
                    break
                a, b = tokens[i][0], tokens[i + width - 1][1]
                window = norm.text[a:b]
                candidates = set()
                for token in window.split():
                    candidates |= self._by_token.get(token[:3], set())
                for key in candidates:
                    if abs(len(key) - len(window)) <= 3 and fuzz.ratio(window, key) >= _FUZZY_CUTOFF:
                        start, end = norm.span_in_original(a, b)
                        found.append(ListMatch(start, end, self._entries[key][0], 0.85))
        return longest_first(found)


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
        self._by_tail: dict[str, list[tuple[str, ListEntry]]] = defaultdict(list)
        for number, entry in numbers:
            digits = digits_only(number).lstrip("0")
            if len(digits) >= _PHONE_KEY_DIGITS:
                self._by_tail[digits[-_PHONE_KEY_DIGITS:]].append((digits, entry))

    def lookup(self, number: str) -> ListEntry | None:
        digits = digits_only(number).lstrip("0")
        if len(digits) < _PHONE_KEY_DIGITS:
            return None
        for known, entry in self._by_tail.get(digits[-_PHONE_KEY_DIGITS:], ()):
            if known.endswith(digits) or digits.endswith(known):
                return entry
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
