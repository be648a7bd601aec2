"""Which country a post talks about near a number: CLDR territory names, from Babel.

"Our UK office: 020 7946 0958" is a British number; the names come from Babel's CLDR data
in the languages our salespeople write (English, Chinese, German, French, Spanish,
Italian, Polish, Dutch), with the usual short forms CLDR lists as variants ("UK", "US").
Loaded once, searched with one Aho-Corasick pass over the words around a match.
"""

from __future__ import annotations

import re
from functools import lru_cache

import ahocorasick

LOCALES = ("en", "zh", "de", "fr", "es", "it", "pl", "nl")
WINDOW = 60
_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=1)
def _automaton():
    from babel import Locale

    automaton = ahocorasick.Automaton()
    for ident in LOCALES:
        for code, name in Locale.parse(ident).territories.items():
            if len(code) == 2 and code.isalpha() and len(name) >= 2:
                automaton.add_word(name.casefold(), (name.casefold(), code))
    for short, code in (("uk", "GB"), ("usa", "US"), ("u.s.", "US"), ("uae", "AE")):
        automaton.add_word(short, (short, code))
    automaton.make_automaton()
    return automaton


def prepare() -> None:
    """Build the names' automaton now (Babel's data for eight languages: a fifth of a second
    or more), not in the first check of a number with words around it."""
    _automaton()


def regions_named_near(text: str, start: int, end: int) -> list[str]:
    """Region codes whose names stand within WINDOW characters of `[start, end)`."""
    if not (_LETTER.search(text, max(0, start - WINDOW), start) or _LETTER.search(text, end, end + WINDOW)):
        return []  # every name has a letter: a list of bare numbers names no country
    around = text[max(0, start - WINDOW):start].casefold() + " | " + text[end:end + WINDOW].casefold()
    found = []
    for last, (name, code) in _automaton().iter(around):
        first = last - len(name) + 1
        before = around[first - 1] if first > 0 else " "
        after = around[last + 1] if last + 1 < len(around) else " "
        if name.isascii() and (before.isalnum() or after.isalnum()):
            continue
        if code not in found:
            found.append(code)
    return found
