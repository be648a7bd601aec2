"""Splitting a post into sentences, in English, Chinese and both mixed.

The red-line model reads one sentence at a time: a finding then points at the sentence that
reads as prejudiced, and a sentence scored while the user typed is not scored again at the
Post click (the cache is keyed by sentence text). A full stop ends an English sentence only
before a space or the end, so prices and versions (`USD 0.42`, `v2.1`) are not cut; Chinese
full-width marks end a sentence where they stand. A run-on text without marks is cut into
windows at spaces so that no single piece costs the encoder too much.
"""

from __future__ import annotations

from companion.detection.linear_regex import compile_linear

# On RE2: with Python's engine, a run of 20,000 full stops before a letter took 13 s (each
# start tried the whole run again).
_BOUNDARY = compile_linear(r"[.!?…]+[\"')\]”’]*(?:\s+|$)|[。！？；;]+[\"')\]”’」』]*\s*|\n+")
MAX_SENTENCE = 300
# What the model can read: words of two letters or more in alphabets that space their words,
# and CJK characters (Chinese does not space its words).
_SPACED_WORD = compile_linear(r"[^\P{L}\x{3400}-\x{9fff}]{2,}")
_CJK_CHAR = compile_linear(r"[\x{3400}-\x{9fff}]")
MIN_WORDS = 2
MIN_CJK_CHARS = 3


def worth_reading(sentence: str) -> bool:
    """True when a sentence has enough words to say something about people.

    A lone word ("OK!", "Thanks"), a price or a row of digits and signs never reads as
    prejudice to the model (slurs on their own are the lexical rules' job), and each
    sentence costs the encoder milliseconds: a post of number soup must not cost seconds.
    """
    return (_count(_SPACED_WORD, sentence, MIN_WORDS) >= MIN_WORDS
            or _count(_CJK_CHAR, sentence, MIN_CJK_CHARS) >= MIN_CJK_CHARS)


def _count(pattern, text: str, enough: int) -> int:
    count = 0
    for _ in pattern.finditer(text):
        count += 1
        if count >= enough:
            break
    return count


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
