"""Words that let the red-line model's score count at a lower threshold in one sentence.

The model's threshold is chosen for every sentence alike, so a sentence it reads as half
prejudiced (0.6 where 0.78 counts) passes, whatever it says. Two words in the same sentence
make such a score worth believing: a group of people ("disabled people", "immigrants", 河南人,
女的) and a judgement of them ("deserve to die", "disgusting", "a plague", 没素质, 骗子, 恶心).
Neither alone says much: "We hired two disabled engineers", "disgusting weather". A
`classifier` rule's `cue` (companion/rules.py) lists both and the lower thresholds; this
module reads them:

- a target term is in the sentence or in the one before it ("I don't understand why you'd like
  disabled people. Everything about them disgusts me."), and a cue term is in the sentence
  (Aho-Corasick over the casefolded text, word boundaries for Latin terms, as the pack's near
  rules);
- an English judgement of five letters or more also counts misspelt by one letter, dropped,
  added, changed or swapped with its neighbour ("hatrd", "plageu", "tortuer"), the first letter
  kept, where the misspelt word is neither a target nor a word the encoder's vocabulary knows
  whole ("money" is not "monkey", "garage" not "garbage");
- the cue is not negated just before it ("do not deserve to be tortured", "never", 不, 没, 并非;
  not 非常 "very", 不仅 "not only", 无比 "beyond compare", 别人 "others" …);
- the cue is not quoted or named (companion/detection/mentions.py): counter-speech quoting a
  threat ("You can write "I'll slaughter …", but …") does not lower anything.

A sentence that speaks of a group only through a pronoun ("They can't help themselves but be
complete dickheads", 她们…) after a sentence that names one is also read by the model together
with that sentence (`refers_back`, `CueReader.names_group`; companion/detection/semantic_matcher.py).

A cue never makes a finding on its own; the model's score still has to reach the lower
threshold, so "Immigrants are disgusting" needs the model too, and a clean sentence the model
reads as clean stays clean whatever words it holds.
"""

from __future__ import annotations

import re

from companion.detection.linear_regex import compile_linear
from companion.detection.mentions import is_mention
from companion.detection.rule_matchers import TermSet

# A negation close before the cue: "do not deserve to be tortured", "don't hate", "stop calling".
_NEGATED_EN = compile_linear(
    r"(?i)(?:^|[^a-z])(?:not|never|no|nobody|stop|stopped|[a-z]+n't|[a-z]+n’t)\s+(?:[a-z'’]+\s+){0,3}$")
# 不 / 没 / 别 / 非 / 无 up to two characters before it: 不偷井盖, 没有觉得恶心, 并非骗子.
_NEGATED_ZH = compile_linear(r"(?:不|没|别|非|无)[^，。！？,.!?；;\s]{0,2}$")
# Words that start with a negation character and negate nothing: 非常恶心 is "very disgusting".
_NOT_NEGATIONS = ("非常", "无比", "无数", "无论", "不仅", "不但", "不少", "不断", "不停", "不止", "不管",
                  "别人", "别的", "没想到")
_NEGATION_CHARS = "不没别非无"
# A group spoken of through a pronoun, named in an earlier sentence.
_REFERS_BACK = compile_linear(
    r"(?i)(?:^|[^a-z])(?:they|them|their|theirs|themselves|(?:these|those|such) people)(?:[^a-z]|$)"
    r"|他们|她们|这些人|那些人|这种人|这帮人|这群人")
# Misspelt judgements: Latin words, and how long a judgement must be to be read misspelt.
_WORD = re.compile(r"[a-z]+")
_FUZZY_MIN = 5
_FUZZY_MAX = 20


class CueReader:
    """Whether a sentence holds one of a cue's groups (or the sentence before it does) and an
    unnegated, unquoted judgement."""

    def __init__(self, targets: dict[str, list[str]], cues: dict[str, list[str]],
                 known_word=None):
        self._targets = TermSet([t for terms in targets.values() for t in terms])
        self._cues = TermSet([t for terms in cues.values() for t in terms])
        self._misspelt = _Misspellings([t for terms in cues.values() for t in terms],
                                       {w for terms in targets.values() for t in terms for w in t.casefold().split()},
                                       known_word)

    def names_group(self, text: str) -> bool:
        """True when `text` names one of the cue's groups."""
        return bool(self._targets.find(_fold(text)))

    def fires(self, sentence: str, before: str = "") -> bool:
        """True when `sentence` judges a group it (or `before`, the sentence before it) names."""
        folded = _fold(sentence)
        if not self._targets.find(folded) and not (before and self._targets.find(_fold(before))):
            return False
        spans = self._cues.find(folded) + self._misspelt.find(folded)
        return any(not _negated(folded, start) and not is_mention(sentence, start, end)
                   for start, end in spans)


def refers_back(sentence: str) -> bool:
    """True when a sentence speaks of people through a pronoun ("they", "those people", 她们)."""
    return _REFERS_BACK.search(sentence) is not None


class _Misspellings:
    """English judgements misspelt by one letter (Damerau distance 1, the first letter kept),
    found by their one-letter deletions: linear in the sentence, a few dictionary looks per word."""

    def __init__(self, cues: list[str], targets: set[str], known_word=None):
        self._by_deletion: dict[str, set[str]] = {}
        for cue in {c.casefold() for c in cues}:
            if len(cue) >= _FUZZY_MIN and cue.isascii() and cue.isalpha():
                for variant in _deletions(cue):
                    self._by_deletion.setdefault(variant, set()).add(cue)
        self._exact = {c.casefold() for c in cues} | targets
        self._known_word = known_word or (lambda word: False)

    def find(self, folded: str) -> list[tuple[int, int]]:
        if not self._by_deletion:
            return []
        spans = []
        for match in _WORD.finditer(folded):
            word = match.group()
            if not _FUZZY_MIN - 1 <= len(word) <= _FUZZY_MAX or word in self._exact:
                continue
            if any(cue[0] == word[0] and _one_edit(word, cue)
                   for variant in _deletions(word) for cue in self._by_deletion.get(variant, ())) \
                    and not self._known_word(word):
                spans.append(match.span())
        return spans


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """Damerau distance exactly 1: one letter dropped, added, changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    at = 0
    while at < len(short) and short[at] == long[at]:
        at += 1
    return short[at:] == long[at + 1:]


def _fold(text: str) -> str:
    folded = text.casefold()
    return folded if len(folded) == len(text) else text.lower()  # keep offsets: "ß".casefold() is two letters


def _negated(folded: str, start: int) -> bool:
    before = folded[max(0, start - 40):start]
    if _NEGATED_EN.search(before) is not None:
        return True
    found = _NEGATED_ZH.search(before)
    if found is None:
        return False
    tail = before[found.start():]
    return any(ch in _NEGATION_CHARS and not any(tail.startswith(word, at) for word in _NOT_NEGATIONS)
               for at, ch in enumerate(tail))
