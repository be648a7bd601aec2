"""Words that let the red-line model's score count at a lower threshold in one sentence.

The model's threshold is chosen for every sentence alike, so a sentence it reads as half
prejudiced (0.6 where 0.78 counts) passes, whatever it says. Two words in the same sentence
make such a score worth believing: a group of people ("disabled people", "immigrants", 河南人,
女的) and a judgement of them ("deserve to die", "disgusting", "a plague", 没素质, 骗子, 恶心).
Neither alone says much: "We hired two disabled engineers", "disgusting weather". A
`classifier` rule's `cue` (companion/rules.py) lists both and the lower thresholds; this
module reads them:

- both a target and a cue term are in the sentence (Aho-Corasick over the casefolded sentence,
  word boundaries for Latin terms, as the pack's near rules);
- the cue is not negated just before it ("do not deserve to be tortured", "never", 不, 没, 并非);
- the cue is not quoted or named (companion/detection/mentions.py): counter-speech quoting a
  threat ("You can write "I'll slaughter …", but …") does not lower anything.

A cue never makes a finding on its own; the model's score still has to reach the lower
threshold, so "Immigrants are disgusting" needs the model too, and a clean sentence the model
reads as clean stays clean whatever words it holds.
"""

from __future__ import annotations

from companion.detection.linear_regex import compile_linear
from companion.detection.mentions import is_mention
from companion.detection.rule_matchers import TermSet

# A negation close before the cue: "do not deserve to be tortured", "don't hate", "stop calling".
_NEGATED_EN = compile_linear(
    r"(?i)(?:^|[^a-z])(?:not|never|no|nobody|stop|stopped|[a-z]+n't|[a-z]+n’t)\s+(?:[a-z'’]+\s+){0,3}$")
# 不 / 没 / 别 / 非 / 无 up to two characters before it: 不偷井盖, 没有觉得恶心, 并非骗子.
_NEGATED_ZH = compile_linear(r"(?:不|没|别|非|无)[^，。！？,.!?；;\s]{0,2}$")


class CueReader:
    """Whether a sentence holds one of a cue's groups and an unnegated, unquoted judgement."""

    def __init__(self, targets: dict[str, list[str]], cues: dict[str, list[str]]):
        self._targets = TermSet([t for terms in targets.values() for t in terms])
        self._cues = TermSet([t for terms in cues.values() for t in terms])

    def fires(self, sentence: str) -> bool:
        folded = sentence.casefold()
        if len(folded) != len(sentence):
            folded = sentence.lower()  # keep offsets: "ß".casefold() is two letters
        if not self._targets.find(folded):
            return False
        return any(not _negated(folded, start) and not is_mention(sentence, start, end)
                   for start, end in self._cues.find(folded))


def _negated(folded: str, start: int) -> bool:
    before = folded[max(0, start - 40):start]
    return _NEGATED_EN.search(before) is not None or _NEGATED_ZH.search(before) is not None
