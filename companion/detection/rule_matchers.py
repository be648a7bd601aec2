"""Matchers built from rule-pack data: patterns, keyword lists and near-pairs.

Keyword and near-pair terms go into one Aho-Corasick automaton per rule over the
casefolded text, so a list of hundreds of words costs one pass. Latin terms need word
boundaries ("race" must not fire inside "embrace"); CJK terms do not, since Chinese is
written without spaces.

What a word says depends on what stands beside it, read here for every rule alike: a near
rule's judgement negated just before it ("our buyers are never late", 上海客户从不小气) judges
no one, and a rule's `unless` words in the clause after its match ("Muslims are our most loyal
customers") make the match praise, not a generalisation (companion/detection/mentions.py).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache

import ahocorasick

from companion.detection.candidates import Candidate
from companion.detection.deadline import Deadline
from companion.detection.linear_regex import MAX_MATCHES, compile_linear
from companion.detection.mentions import clause_after, negated
from companion.detection.mentions import is_mention
from companion.detection.normalize import is_cjk
from companion.detection.recognizers.secret_formats import is_placeholder
from companion.rules import Pack, Rule


def _boundary_ok(text: str, start: int, end: int, term: str) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if not is_cjk(term[0]) and (before.isalnum() and not is_cjk(before)):
        return False
    return is_cjk(term[-1]) or not (after.isalnum() and not is_cjk(after))


class TermSet:
    """Casefolded terms found with word boundaries for latin, none for CJK."""

    def __init__(self, terms: list[str]):
        self._automaton = ahocorasick.Automaton()
        self.keys = list(dict.fromkeys(term.casefold() for term in terms))
        for key in self.keys:
            self._automaton.add_word(key, key)
        self._empty = not terms
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, folded: str) -> list[tuple[int, int]]:
        """(start, end) of every term occurrence in the casefolded text."""
        if self._empty:
            return []
        spans = []
        for end, key in self._automaton.iter(folded):
            start = end - len(key) + 1
            if _boundary_ok(folded, start, end + 1, key):
                spans.append((start, end + 1))
        return spans


class _AllTerms:
    """Every keyword and near-pair `TermSet` of the packs in one automaton: one pass over the
    post for all of them instead of one per rule (13 passes: 15 ms on 100,000 characters).
    A set's spans come out as its own automaton gives them: at each end, longest first."""

    def __init__(self, sets: list[TermSet]):
        self._sets = sets
        owners: dict[str, list[int]] = {}
        for index, term_set in enumerate(sets):
            for key in term_set.keys:
                owners.setdefault(key, []).append(index)
        self._automaton = ahocorasick.Automaton()
        for key, indexes in owners.items():
            self._automaton.add_word(key, (key, indexes))
        self._empty = not owners
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, folded: str) -> dict[TermSet, list[tuple[int, int]]]:
        """Each set's (start, end) spans in the casefolded text."""
        spans: list[list[tuple[int, int]]] = [[] for _ in self._sets]
        if not self._empty:
            for end, (key, indexes) in self._automaton.iter(folded):
                start = end - len(key) + 1
                if _boundary_ok(folded, start, end + 1, key):
                    for index in indexes:
                        spans[index].append((start, end + 1))
        return dict(zip(self._sets, spans))


def _all_terms(by_language: dict[str, list[str]]) -> list[str]:
    return [term for terms in by_language.values() for term in terms]


class RuleMatcher:
    """Runs the pattern, keyword and near rules of a set of packs over a text."""

    def __init__(self, packs: list[Pack]):
        self._rules: list[tuple[Pack, Rule, object]] = []
        for pack in packs:
            for rule in pack.rules:
                if rule.patterns:
                    self._rules.append((pack, rule, None))
                elif rule.keywords:
                    self._rules.append((pack, rule, TermSet(_all_terms(rule.keywords))))
                elif rule.near:
                    pair = (TermSet(_all_terms(rule.near.targets)), TermSet(_all_terms(rule.near.cues)))
                    self._rules.append((pack, rule, pair))
        self._unless = {rule.id: TermSet(_all_terms(rule.unless)) for pack in packs for rule in pack.rules
                        if rule.unless}
        self._terms = _AllTerms([s for _, _, sets in self._rules if sets is not None
                                 for s in (sets if isinstance(sets, tuple) else (sets,))])

    def find(self, text: str, list_spans: dict[str, list[tuple[int, int]]] | None = None,
             deadline: Deadline | None = None) -> list[Candidate]:
        """Every raw candidate from the data-driven rules, before context and threshold.

        `list_spans` holds where the org's clients and competitors were found, for near
        rules that name them as targets. Past the `deadline`, the remaining rules are skipped.
        """
        folded = text.casefold()
        folded = folded if len(folded) == len(text) else _safe_fold(text)
        # Most posts hold none of these: then the post itself, not a copy, so that RE2's index of
        # a long non-ASCII post (linear_regex.py) is made once for every stage of the check.
        plain = text.translate(_ASCII_SPACES_AND_DIGITS) if _NOT_PLAIN.search(text) else text
        terms = self._terms.find(folded)
        found: list[Candidate] = []
        for pack, rule, compiled in self._rules:
            if deadline is not None and deadline.expired():
                break
            if rule.patterns:
                found += self._patterns(plain, pack, rule)
            elif rule.keywords:
                found += [Candidate(s, e, pack, rule, rule.score) for s, e in terms[compiled]]
            else:
                extra = [span for name in rule.near.target_lists for span in (list_spans or {}).get(name, [])]
                found += self._near(pack, rule, terms[compiled[0]], terms[compiled[1]], extra, text)
        return self._without_praise(text, _without_mentions(text, found))

    def _without_praise(self, text: str, found: list[Candidate]) -> list[Candidate]:
        """Drop a match followed in its clause by one of its rule's `unless` words, not negated."""
        if not self._unless:
            return found
        kept, checked = [], {}
        for c in found:
            words = self._unless.get(c.rule.id)
            if words is not None:
                checked[c.rule.id] = seen = checked.get(c.rule.id, 0) + 1
                if seen <= MAX_MATCHES:
                    clause = clause_after(text, c.end)
                    folded = clause.casefold() if len(clause.casefold()) == len(clause) else clause.lower()
                    if any(not negated(folded, start) for start, _ in words.find(folded)):
                        continue
            kept.append(c)
        return kept

    @staticmethod
    def _patterns(text: str, pack: Pack, rule: Rule) -> list[Candidate]:
        found = []
        for pattern in rule.patterns:
            group = pattern.compiled.groupindex.get("value")
            for m in pattern.compiled.finditer(text):
                # RE2's match objects take group numbers, not names.
                has_value = group is not None and m.group(group)
                vs, ve = m.span(group) if has_value else (-1, -1)
                value = text[vs:ve] if has_value else m.group()
                if pattern.value_checks and not _contains_all(value, pattern.value_checks):
                    continue
                if pattern.value_not_placeholder and is_placeholder(value):
                    continue
                found.append(Candidate(m.start(), m.end(), pack, rule, pattern.score, vs, ve))
        return found

    @staticmethod
    def _near(pack: Pack, rule: Rule, targets: list[tuple[int, int]], cues: list[tuple[int, int]],
              extra_targets: list[tuple[int, int]], text: str) -> list[Candidate]:
        """A candidate per cue with a target within the window, from the closest target; at most
        `MAX_MATCHES` of them, as a pattern's. The targets are sorted once and each cue looks at
        those that can reach it only, so a post of thousands of both ("客户小气" 25,000 times) is
        read in linear time, where comparing every cue with every target took 30 s."""
        window = rule.near.window
        spans = sorted(targets + extra_targets)
        if not spans:
            return []
        starts = [t[0] for t in spans]
        longest = max(e - s for s, e in spans)
        found = []
        for cs, ce in cues:
            if negated(text, cs):
                continue
            lo = bisect_left(starts, cs - window - longest)
            hi = bisect_right(starts, ce + window)
            close = [t for t in spans[lo:hi] if t[0] - ce <= window and cs - t[1] <= window]
            if close:
                t = min(close, key=lambda t: abs(t[0] - cs))
                found.append(Candidate(min(t[0], cs), max(t[1], ce), pack, rule, rule.score))
                if len(found) >= MAX_MATCHES:
                    break
        return found


# RE2's \s and \d are ASCII; Python's were Unicode. Posts carry no-break and ideographic
# spaces and full-width digits ("USD\u00a00.42", "单价５元"), so patterns see them as plain
# ones. One character for one keeps every offset valid.
_ASCII_SPACES_AND_DIGITS = str.maketrans(
    {**{ch: " " for ch in "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                         "\u2009\u200a\u202f\u205f\u3000"},
     **{chr(0xFF10 + d): str(d) for d in range(10)}})
_NOT_PLAIN = re.compile("[" + "".join(map(chr, _ASCII_SPACES_AND_DIGITS)) + "]")


def _without_mentions(text: str, found: list[Candidate]) -> list[Candidate]:
    """Drop the matches of `skip_mentions` rules that are quoted or named (mentions.py).

    At most `MAX_MATCHES` matches per rule are read so: a post of 30,000 slurs in a row cost
    seconds of mention checks; past the first 200 a rule's matches are kept as they are.
    """
    checked: dict[str, int] = {}
    kept = []
    for c in found:
        if c.rule.skip_mentions:
            checked[c.rule.id] = seen = checked.get(c.rule.id, 0) + 1
            if seen <= MAX_MATCHES and is_mention(text, c.start, c.end):
                continue
        kept.append(c)
    return kept


def _contains_all(value: str, classes: list) -> bool:
    """True when `value` has at least one character of every class (a digit, a symbol...)."""
    return all(c.search(value) for c in classes)


def _safe_fold(text: str) -> str:
    """Casefold per character, keeping offsets (ß -> ss would shift them): lower() then."""
    return "".join(ch.lower() if len(ch.casefold()) != 1 else ch.casefold() for ch in text)


@lru_cache(maxsize=256)
def _context_pattern(words: tuple[str, ...]):
    """One compiled alternation per context list: latin words must start a word, CJK need not."""
    cjk = [re.escape(w.casefold()) for w in words if is_cjk(w[0])]
    latin = [re.escape(w.casefold()) for w in words if not is_cjk(w[0])]
    parts = cjk + ([r"(?:^|[^a-z])(?:" + "|".join(latin) + ")"] if latin else [])
    return compile_linear("|".join(parts))


def context_present(text: str, start: int, end: int, words: list[str], window: int) -> bool:
    """True when any context word appears within `window` characters of the match."""
    if not words:
        return False
    around = text[max(0, start - window):start].casefold() + " " + text[end:end + window].casefold()
    return _context_pattern(tuple(words)).search(around) is not None
