"""Library-backed recognizers that need no spaCy, run once over the whole post.

Prices (currency data from Babel), secrets (detect-secrets plugins), street addresses,
e-mail addresses and phone numbers are found by recognizers listed in
`registry.whole_text_recognizers()`. Any pack may name their entity in a rule
(`entity: CURRENCY_AMOUNT` in pricing.yaml, `entity: SECRET` in credentials.yaml); this
scanner maps their results to those rules. Each recognizer runs in linear time on any
post, so they need no hotspot windows; one that reads many items at a cost each (phone
numbers through libphonenumber) takes the check's deadline and stops between items, and
stops at the check's cap on findings of one rule (`finding_cap.py`).
"""

from __future__ import annotations

import inspect

from companion.detection.candidates import Candidate
from companion.detection.deadline import Deadline
from companion.detection.finding_cap import FindingCap
from companion.detection.recognizers.registry import whole_text_recognizers
from companion.rules import Pack


class WholeTextScanner:
    """Runs each rule's whole-text recognizer and reports candidates for that rule."""

    def __init__(self, packs: list[Pack], markets: tuple[str, ...] = ()):
        recognizers = whole_text_recognizers(markets)
        self._rules = [(pack, rule, recognizers[rule.entity],
                        "deadline" in inspect.signature(recognizers[rule.entity].analyze).parameters)
                       for pack in packs for rule in pack.rules if rule.entity in recognizers]

    def warm_up(self) -> None:
        """What the recognizers would otherwise build at their first post of a kind (a
        recognizer may offer `warm_up`; it runs after the companion is ready)."""
        for recognizer in dict.fromkeys(r for _, _, r, _ in self._rules):
            if hasattr(recognizer, "warm_up"):
                recognizer.warm_up()

    def find(self, text: str, deadline: Deadline | None = None,
             cap: FindingCap | None = None) -> list[Candidate]:
        """Candidates from every whole-text rule, until the deadline (if any) passes.

        With a `cap`, only the candidates it keeps are returned, and a recognizer that reads
        items one by one (`iter_analyze`) stops at its limit (`finding_cap.py`)."""
        found = []
        for pack, rule, recognizer, takes_deadline in self._rules:
            if deadline is not None and deadline.expired():
                break
            if cap is not None and hasattr(recognizer, "iter_analyze"):
                reading = recognizer.iter_analyze(text, deadline)
                lazy = (Candidate(r.start, r.end, pack, rule, r.score) for r in reading)
                found += cap.take(rule.id, lazy, reading.unread_after)
                continue
            if takes_deadline:
                results = recognizer.analyze(text, [rule.entity], deadline=deadline)
            else:
                results = recognizer.analyze(text, [rule.entity])
            read = [Candidate(r.start, r.end, pack, rule, r.score) for r in results]
            found += read if cap is None else [c for c in read if cap.keep(c)]
        return found
