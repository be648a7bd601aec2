"""Splitting a post into sentences, in English, Chinese and both mixed.

The red-line model reads one sentence at a time: a finding then points at the sentence that
reads as prejudiced, and a sentence scored while the user typed is not scored again at the
Post click (the cache is keyed by sentence text). A full stop ends an English sentence only
before a space or the end, so prices and versions (`USD 0.42`, `v2.1`) are not cut; Chinese
full-width marks end a sentence where they stand. A run-on text without marks is cut into
windows at spaces so that no single piece costs the encoder too much.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from companion.detection.linear_regex import compile_linear

# On RE2: with Python's engine, a run of 20,000 full stops before a letter took 13 s (each
# start tried the whole run again).
_BOUNDARY = compile_linear(r"[.!?…]+[\"')\]”’]*(?:\s+|$)|[。！？；;]+[\"')\]”’」』]*\s*|\n+")
MAX_SENTENCE = 300
# What the model can read: words of two letters or more in alphabets that space their words,
# and CJK characters (Chinese does not space its words).
MIN_WORDS = 2
MIN_LETTERS = 6  # in those words: "MO.-SA." (a receipt's opening hours) is two words of two
MIN_CJK_CHARS = 3
_ENCODER_CJK = Path(__file__).parent / "data" / "encoder_cjk.txt"


def worth_reading(sentence: str) -> bool:
    """True when a sentence has enough words to say something about people.

    A lone word ("OK!", "Thanks"), a price or a row of digits and signs never reads as
    prejudice to the model (slurs on their own are the lexical rules' job), and each
    sentence costs the encoder milliseconds: a post of number soup must not cost seconds.
    Nor does a "sentence" whose letters are mostly not in words: a run of e-mail addresses,
    random signs and letters, or ideographs the encoder has no piece for (of random CJK 80%
    are not among the 4,088 it knows; of Chinese prose, none). A number counts as one letter
    however long, and punctuation not at all, so "13353392588.麻花389401931.黑人勿扰。" and
    "真的想知道啊？？？？" are still read. Nor, last, a "sentence" of spaced words that says the
    same two or three over and over: 300 characters of "USD 12.34/pc" in a row. Nor two
    short words of fewer than six letters in all, which the encoder reads as noise and
    sometimes scores high: "MO.-SA." on a German receipt read as demeaning (0.82); "Jews
    suck." is still read.
    """
    words, in_words, ideographs, known, written, distinct = _tally(sentence)
    if 2 * (in_words + known) < written or (4 * distinct < words and in_words > known):
        return False
    return (words >= MIN_WORDS and in_words >= MIN_LETTERS) or ideographs >= MIN_CJK_CHARS


def _tally(sentence: str) -> tuple[int, int, int, int, int, int]:
    """(words of two letters or more, their letters, ideographs, ideographs the encoder knows,
    letters + ideographs + numbers, distinct words), in one pass: every sentence of a
    100,000-character post goes through here, and a regex per count cost more than the counting."""
    known_set = encoder_ideographs()
    words = in_words = ideographs = known = written = run = 0
    after_digit = False
    seen = set()
    for at, ch in enumerate(sentence + " "):
        if ch.isalpha():
            written += 1
            after_digit = False
            if "\u3400" <= ch <= "\u9fff":
                ideographs += 1
                known += ch in known_set
            else:
                run += 1
                continue
        elif ch.isnumeric():
            written += not after_digit
            after_digit = True
        else:
            after_digit = False
        if run >= 2:
            words += 1
            in_words += run
            seen.add(sentence[at - run:at].casefold())
        run = 0
    return words, in_words, ideographs, known, written, len(seen)


@lru_cache(maxsize=1)
def encoder_ideographs() -> frozenset[str]:
    """The CJK ideographs the red-line model's encoder reads as pieces of their own (shipped data)."""
    lines = _ENCODER_CJK.read_text(encoding="utf-8").splitlines()
    return frozenset("".join(line for line in lines if not line.startswith("#")))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences in `text`, trimmed, in order; empty pieces dropped."""
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        spans += _pieces(text, start, m.end())
        start = m.end()
    spans += _pieces(text, start, len(text))
    return spans


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start < 2:
        return []
    if end - start <= MAX_SENTENCE:
        return [(start, end)]
    cut = text.rfind(" ", start + MAX_SENTENCE // 2, start + MAX_SENTENCE)
    cut = cut if cut > start else start + MAX_SENTENCE
    return _pieces(text, start, cut) + _pieces(text, cut, end)
