"""Presidio's context rule for recognizers that run over the whole post, without spaCy.

Presidio raises a result's score when one of its recognizer's context words ("phone",
"tel", "微信") stands among the words just before it: the match's own first word and the
five before it that are not stop words, compared by substring ("telephone" holds "tel").
A found word adds 0.35 and lifts the score to at least 0.4. The recognizers that run once
over the whole post (e-mail, phones) apply the same rule here, on words found by one
regular expression instead of spaCy's tokenizer, so a post need not be tokenized for them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS

BOOST = 0.35
MIN_SCORE_WITH_CONTEXT = 0.4
WORDS_BEFORE = 5
# Five words fit in this many characters unless they are very long; a bound keeps the look
# back constant per match however long the post.
_LOOK_BACK = 160
_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")


def words_before(text: str, start: int) -> list[str]:
    """The first word at `start` and up to WORDS_BEFORE words before it, lower-cased,
    stop words left out, nearest first. Words are cut as spaCy's tokenizer cuts them, near
    enough: runs of letters and digits, and an e-mail address is one word."""
    first = _WORD.match(text, start)
    words = [first.group().lower()] if first and first.group().lower() not in STOP_WORDS else []
    for chunk in reversed(text[max(0, start - _LOOK_BACK):start].split()):
        for word in ([chunk] if "@" in chunk else reversed(_WORD.findall(chunk))):
            word = word.lower()
            if word not in STOP_WORDS:
                words.append(word)
        if len(words) > WORDS_BEFORE:
            break
    return words[:WORDS_BEFORE + 1]


def boosted(text: str, start: int, score: float, context: list[str]) -> float:
    """`score`, raised as Presidio would when a context word stands just before `start`."""
    context = tuple(context)
    if _all_have_letters(context) and not _letters_in_reach(text, start):
        return score  # a list of bare numbers: no word of it can hold a context word
    if _any_of(context).search("\n".join(words_before(text, start))):
        return min(1.0, max(score + BOOST, MIN_SCORE_WITH_CONTEXT))
    return score


def _letters_in_reach(text: str, start: int) -> bool:
    """Whether a letter stands in what `words_before` reads: the look-back and the first word."""
    first = _WORD.match(text, start)
    return bool(_LETTER.search(text, max(0, start - _LOOK_BACK), first.end() if first else start))


@lru_cache(maxsize=32)
def _all_have_letters(context: tuple[str, ...]) -> bool:
    return all(_LETTER.search(word) for word in context)


@lru_cache(maxsize=32)
def _any_of(context: tuple[str, ...]) -> re.Pattern:
    """One alternation of a recognizer's context words: a substring of any word matches."""
    return re.compile("|".join(re.escape(word.lower()) for word in context))
