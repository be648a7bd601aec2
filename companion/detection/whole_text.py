"""Library-backed recognizers that need no spaCy, run once over the whole post.

Prices (currency data from Babel), secrets (detect-secrets plugins) and street addresses
are found by recognizers listed in `registry.whole_text_recognizers()`. Any pack may
name their entity in a rule (`entity: CURRENCY_AMOUNT` in pricing.yaml, `entity: SECRET`
in credentials.yaml); this scanner maps their results to those rules. Each recognizer
runs in linear time on any post, so they need no hotspot windows.
"""

from __future__ import annotations

from companion.detection.candidates import Candidate
from companion.detection.deadline import Deadline
from companion.detection.recognizers.registry import whole_text_recognizers
from companion.rules import Pack


class WholeTextScanner:
    """Runs each rule's whole-text recognizer and reports candidates for that rule."""

    def __init__(self, packs: list[Pack]):
        recognizers = whole_text_recognizers()
        self._rules = [(pack, rule, recognizers[rule.entity]) for pack in packs for rule in pack.rules
                       if rule.entity in recognizers]

    def find(self, text: str, deadline: Deadline | None = None) -> list[Candidate]:
        """Candidates from every whole-text rule, until the deadline (if any) passes."""
        found = []
        for pack, rule, recognizer in self._rules:
            if deadline is not None and deadline.expired():
                break
            for r in recognizer.analyze(text, [rule.entity]):
                found.append(Candidate(r.start, r.end, pack, rule, r.score))
        return found
