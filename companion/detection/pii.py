"""Contact and payment data through Presidio, on the parts of a post that can hold any.

Presidio runs the spaCy pipeline over the whole text before any recognizer, which is the
largest cost of a check. Contact data always involves an "@", a run of digits or a
street word, so only windows around such spots (wide enough for Presidio's context
words) go through the analyzer; the rest of a 3,000-character post is never tokenized.
"""

from __future__ import annotations

import re

from presidio_analyzer import AnalyzerEngine

from companion.detection.candidates import Candidate
from companion.rules import Pack

_HOTSPOT = re.compile(
    r"@|\d(?:[\d\s().\-/]{0,3}\d){4,}|\b\d{1,5}[A-Za-z]?\s+[A-Z][a-z]+"
    r"|(?:straße|strasse|str\.|weg|allee|gasse|platz|chaussee|damm)\s+\d|[路街巷]\d|\d号"
    r"|\b[A-Z]{2}\d{2}\s?[A-Z0-9]{4}|(?i:swift|passport|护照)"
)
_WINDOW = 120


def hotspot_windows(text: str) -> list[tuple[int, int]]:
    """Merged `[start, end)` windows around every spot that may hold contact data."""
    windows: list[list[int]] = []
    for m in _HOTSPOT.finditer(text):
        start, end = max(0, m.start() - _WINDOW), min(len(text), m.end() + _WINDOW)
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end])
    return [(s, e) for s, e in windows]


class PiiScanner:
    """Maps Presidio entities to the contact-data pack's rules and scans hotspots."""

    def __init__(self, analyzer: AnalyzerEngine, pack: Pack | None):
        self._analyzer = analyzer
        self._pack = pack
        self._rules = {r.entity: r for r in pack.rules if r.entity} if pack else {}

    def find(self, text: str) -> list[Candidate]:
        if not self._rules:
            return []
        found = []
        for start, end in hotspot_windows(text):
            results = self._analyzer.analyze(text[start:end], language="en",
                                             entities=list(self._rules))
            for r in results:
                rule = self._rules[r.entity_type]
                found.append(Candidate(start + r.start, start + r.end, self._pack, rule, r.score))
        return found
