"""Splitting a post into sentences, in English, Chinese and both mixed.

The red-line model reads one sentence at a time: a finding then points at the sentence that
reads as prejudiced, and a sentence scored while the user typed is not scored again at the
Post click (the cache is keyed by sentence text). A full stop ends an English sentence only
before a space or the end, so prices and versions (`USD 0.42`, `v2.1`) are not cut; Chinese
full-width marks end a sentence where they stand. A run-on text without marks is cut into
windows at spaces so that no single piece costs the encoder too much.
"""

from __future__ import annotations

import re

# RE2-compatible: no lookarounds, no backreferences.
_BOUNDARY = re.compile(r"[.!?…]+[\"')\]”’]*(?:\s+|$)|[。！？；;]+[\"')\]”’」』]*\s*|\n+")
MAX_SENTENCE = 300


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
