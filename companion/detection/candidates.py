"""What a matcher reports before scoring, merging and masking: a `Candidate`.

Every matcher (rule-pack patterns, keywords, Presidio, the org lists) produces the same
shape, so the engine can apply context, the allow list, merging and masking once.
"""

from __future__ import annotations

from dataclasses import dataclass

from companion.rules import Pack, Rule


@dataclass
class Candidate:
    """A possible finding: where it is, which rule found it, how sure it is.

    `value_start`/`value_end` mark the secret part inside the match (the digits after
    "password:", say); they default to the whole match.
    """

    start: int
    end: int
    pack: Pack
    rule: Rule
    score: float
    value_start: int = -1
    value_end: int = -1
    label: str = ""

    def __post_init__(self):
        if self.value_start < 0:
            self.value_start, self.value_end = self.start, self.end

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end
