"""Regular expressions that run in linear time, whatever the post: Google's RE2.

Python's `re` backtracks. A pattern such as `\\d[\\d,.]*\\s?USD` tried at every digit of
a 16,000-digit post costs the square of its length, and while it runs it holds the GIL,
so one post could freeze the whole companion. RE2 compiles every pattern to an
automaton and guarantees time linear in the text, so no post can do that. The price is
that RE2 refuses lookarounds and backreferences; rule packs say "not preceded by" and
"not followed by" with `not_before` / `not_after` character classes instead, which
`LinearPattern` checks on the one character around a match.

Every pattern that runs over post text is compiled here. A pattern RE2 cannot take is
refused with the reason, so a rule pack that uses one is refused at load (rules.py adds
the file, line and rule id).

A post can also hold a pathological number of matches ("$1 " 30,000 times). Each match
costs a few microseconds in Python, so `finditer` stops after `MAX_MATCHES` per pattern:
no real post has more prices or phone numbers than that, and the finding is already made.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator

import re2

MAX_MATCHES = 200
# Each pattern's memory: its compiled program and the DFA states RE2 caches while matching.
# The states are made on demand, one for every new situation a text leads the automaton
# into, and kept until the cache is full, when RE2 empties it and goes on (a search that
# empties it too often finishes on RE2's NFA, still linear). The cache is what is left of
# this budget after the program, so the budget is also the bound on what a pattern keeps.
# At 64 MB no pattern ever filled it: the states piled up for the life of the process, out
# of sight of Python's tracemalloc, with every new kind of text (OCR'd photos most) and
# again after every rules reload: 5-6 MB over the first 500 posts and still rising after
# 3,000 (bench/soak.py, docs/performance.md "Soak", 2026-12-05). At 2 MB the largest program
# (the company-name pattern, ~11,000 instructions) compiles, the cache still holds hundreds
# of states, and the same posts leave 4 MB; matching costs ~0.2 ms more per post.
_MAX_MEM = 2 << 20


class UnsupportedPattern(ValueError):
    """RE2 cannot compile the pattern (a lookaround, a backreference, a syntax error)."""


def _options(ignore_case: bool) -> re2.Options:
    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.max_mem = _MAX_MEM
    options.log_errors = False
    return options


# Packs write code points the Python way (\u4e00); RE2 spells them \x{4e00}.
_PY_CODEPOINT = re2.compile(r"\\u([0-9A-Fa-f]{4})")


# Compiled patterns by (pattern, ignore_case), for as long as something uses them. A rules reload
# validates and compiles every pack pattern again while the running engine still holds the same
# ones: it gets those, with the automaton states they already cached, instead of compiling them
# afresh and filling new caches from empty (docs/performance.md, "Soak"). A pattern no engine
# uses any more is freed with its last user, so the table never outgrows the rules in force.
_COMPILED: "weakref.WeakValueDictionary[tuple[str, bool], AsciiFastRegexp]" = weakref.WeakValueDictionary()
_COMPILED_LOCK = threading.Lock()


def compile_linear(pattern: str, ignore_case: bool = False) -> "AsciiFastRegexp":
    """An RE2 pattern (the one already compiled, while any is in use); `UnsupportedPattern` says
    why one cannot be compiled."""
    key = (pattern, bool(ignore_case))
    with _COMPILED_LOCK:
        found = _COMPILED.get(key)
    if found is not None:
        return found
    pattern = _PY_CODEPOINT.sub(r"\\x{\1}", pattern)
    try:
        compiled = AsciiFastRegexp(re2.compile(pattern, _options(ignore_case)))
    except re2.error as exc:
        raise UnsupportedPattern(_reason(exc, pattern)) from None
    with _COMPILED_LOCK:
        return _COMPILED.setdefault(key, compiled)


class AsciiFastRegexp:
    """An RE2 pattern whose matches over ASCII text skip the wrapper's offset bookkeeping.

    `google-re2`'s Python wrapper matches UTF-8 bytes and, for a `str`, turns every match's
    byte offsets back into character offsets: a set, a sort and a dict per match, about
    three quarters of the cost of a match in a post with thousands of them (a contact list:
    30 ms of 40 for 6,000 e-mail addresses). In ASCII text a byte offset is the character
    offset, so there the automaton's spans are used as they are, in the same match objects
    the wrapper builds (`re2._Match`; google-re2 is pinned, so its internals cannot move).
    Over other text the wrapper encoded the whole post again at every call (rule packs call
    `search` hundreds of times on one post) and did the same bookkeeping per match; here the
    post is encoded once (`_Utf8Index`) and each match's offsets are counted on from the last
    one's. Every other method goes through the wrapper unchanged.
    """

    __slots__ = ("_wrapped", "_automaton", "__weakref__")

    def __init__(self, wrapped):
        self._wrapped = wrapped
        self._automaton = wrapped._regexp

    def __getattr__(self, name):
        return getattr(self._wrapped, name)

    def finditer(self, text, pos=None, endpos=None) -> Iterator:
        return self._matches(_UNANCHORED, text, pos, endpos)

    def _matches(self, anchor, text, pos, endpos) -> Iterator:
        if isinstance(text, str) and text.isascii():
            return self._ascii_matches(anchor, text, pos, endpos)
        index = _utf8_index(text) if isinstance(text, str) else None
        if index is None:
            return self._wrapped._match(anchor, text, pos, endpos)
        return self._utf8_matches(anchor, index, pos, endpos)

    def search(self, text, pos=None, endpos=None):
        return self._first(_UNANCHORED, "search", text, pos, endpos)

    def match(self, text, pos=None, endpos=None):
        return self._first(_ANCHOR_START, "match", text, pos, endpos)

    def fullmatch(self, text, pos=None, endpos=None):
        return self._first(_ANCHOR_BOTH, "fullmatch", text, pos, endpos)

    def _first(self, anchor, method: str, text, pos, endpos):
        return next(self._matches(anchor, text, pos, endpos), None)

    def _ascii_matches(self, anchor, text: str, pos, endpos) -> Iterator:
        """The wrapper's loop over bytes, with the matches made on the `str`."""
        pos = 0 if pos is None else max(0, min(pos, len(text)))
        endpos = len(text) if endpos is None else max(0, min(endpos, len(text)))
        if pos > endpos:
            return
        encoded, start = text.encode("ascii"), pos
        while True:
            spans = self._automaton.Match(anchor, encoded, start, endpos)
            if spans[0] == _NULL_SPAN:
                return
            yield re2._Match(self._wrapped, text, pos, endpos, spans)
            if start == endpos:
                return
            start = start + 1 if start == spans[0][1] else spans[0][1]


    def _utf8_matches(self, anchor, index: "_Utf8Index", pos, endpos) -> Iterator:
        """The wrapper's loop over other text, with its offsets converted through `index`
        (the wrapper encoded the whole post again at every call and converted each match's
        offsets with a set, a sort and a dict: rule packs search a long Chinese post hundreds
        of times)."""
        text, encoded = index.text, index.encoded
        pos = 0 if pos is None else max(0, min(pos, len(text)))
        endpos = len(text) if endpos is None else max(0, min(endpos, len(text)))
        if pos > endpos:
            return
        start, end = index.to_bytes(pos), index.to_bytes(endpos)
        at_byte, at_char = start, pos  # the last match's start, in bytes and in characters
        while True:
            spans = self._automaton.Match(anchor, encoded, start, end)
            if spans[0] == _NULL_SPAN:
                return
            # Matches come in order and a match's groups lie inside it: each offset is
            # counted on from the last match's start, so the post is decoded once in all.
            at_char += len(encoded[at_byte:spans[0][0]].decode("utf-8"))
            at_byte = spans[0][0]
            yield re2._Match(self._wrapped, text, pos, endpos,
                             [span if span == _NULL_SPAN else
                              (at_char + len(encoded[at_byte:span[0]].decode("utf-8")),
                               at_char + len(encoded[at_byte:span[1]].decode("utf-8")))
                              for span in spans])
            if start == end:
                return
            start = start + _CharLenToBytes(encoded, start, 1) if start == spans[0][1] else spans[0][1]


class _Utf8Index:
    """A non-ASCII text's UTF-8 form and the byte offset of every `STRIDE`-th character, so a
    character offset (`pos`, `endpos`) becomes a byte offset by encoding at most `STRIDE`
    characters."""

    STRIDE = 128

    def __init__(self, text: str):
        self.text = text
        self.encoded = text.encode("utf-8")  # raises on a lone surrogate, as the wrapper does
        marks, total = [0], 0
        for at in range(0, len(text) - self.STRIDE + 1, self.STRIDE):
            total += len(text[at:at + self.STRIDE].encode("utf-8"))
            marks.append(total)
        self._marks = marks

    def to_bytes(self, at: int) -> int:
        k = min(at // self.STRIDE, len(self._marks) - 1)
        return self._marks[k] + len(self.text[k * self.STRIDE:at].encode("utf-8"))


# The index of the last long non-ASCII text matched: every pattern of a check runs over the same
# post, hundreds of times for some; a short text (a character a guard tests, a sentence) gets
# an index of its own and leaves the post's in place.
_LAST_INDEX: list = [None]
_KEPT_FROM = 1024


def _utf8_index(text: str) -> "_Utf8Index | None":
    last = _LAST_INDEX[0]
    if last is not None and last.text is text:
        return last
    try:
        index = _Utf8Index(text)
    except UnicodeEncodeError:
        return None  # the wrapper's own error, from its own path
    if len(text) >= _KEPT_FROM:
        _LAST_INDEX[0] = index
    return index


_CharLenToBytes = re2._re2.CharLenToBytes
_UNANCHORED, _ANCHOR_START, _ANCHOR_BOTH = (re2._Anchor.UNANCHORED, re2._Anchor.ANCHOR_START,
                                            re2._Anchor.ANCHOR_BOTH)
_NULL_SPAN = re2._NULL_SPAN


def _reason(exc: Exception, pattern: str) -> str:
    """RE2's complaint without the whole pattern it appends ("missing ): <pattern>")."""
    detail = exc.args[0] if exc.args else b""
    text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
    problem, _, fragment = text.partition(": ")
    if any(look in pattern for look in ("(?=", "(?!", "(?<=", "(?<!")):
        return ("lookarounds such as (?=...), (?!...), (?<=...) and (?<!...) are not supported; "
                "use not_before / not_after or value_must_contain")
    if fragment and len(fragment) <= 24:
        return f"invalid regular expression: {problem} at {fragment}"
    return f"invalid regular expression: {problem or 'not supported'}"


def _class_matcher(chars: str | None) -> "_OneCharClass | None":
    """A one-character test from a character class body such as `\\d.` or `\\w+`."""
    if not chars:
        return None
    return _OneCharClass(compile_linear(f"[{chars}]"))


class _OneCharClass:
    """Whether one character is in a class: RE2 answers once per character, kept after.

    The guards test the character before and after every match, and a post with thousands
    of matches uses a few dozen distinct characters; the table is bounded all the same,
    since a post may hold any of a million code points.
    """

    _MAX_KEPT = 4096

    def __init__(self, pattern: AsciiFastRegexp):
        self._pattern = pattern
        self._known: dict[str, bool] = {}

    def __contains__(self, ch: str) -> bool:
        hit = self._known.get(ch)
        if hit is None:
            if len(self._known) >= self._MAX_KEPT:
                self._known.clear()
            hit = self._known[ch] = self._pattern.fullmatch(ch) is not None
        return hit


class LinearPattern:
    """An RE2 pattern with optional one-character guards before and after each match.

    `not_before` and `not_after` are character-class bodies (`\\d.`, `\\w`): a match is
    dropped when the character just before (after) it is in that class. This covers what
    our packs used fixed-width lookarounds for, in constant time per match.
    """

    def __init__(self, pattern: str, *, ignore_case: bool = False, not_before: str | None = None,
                 not_after: str | None = None, max_matches: int = MAX_MATCHES):
        self.pattern = pattern
        self.compiled = compile_linear(pattern, ignore_case)
        self.groupindex = self.compiled.groupindex
        self._before = _class_matcher(not_before)
        self._after = _class_matcher(not_after)
        self._max = max_matches

    def finditer(self, text: str) -> Iterator:
        """Non-empty matches that pass the guards, at most `max_matches` of them."""
        kept = 0
        for m in self.compiled.finditer(text):
            start, end = m.span()
            if end == start:
                continue
            if self._before and start > 0 and text[start - 1] in self._before:
                continue
            if self._after and end < len(text) and text[end] in self._after:
                continue
            yield m
            kept += 1
            if kept >= self._max:
                return

    def search(self, text: str):
        """The first match that passes the guards, or None."""
        return next(self.finditer(text), None)
