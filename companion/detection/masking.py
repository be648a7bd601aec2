"""Masked excerpts: enough for a person to recognise what was flagged, not enough to leak it.

The excerpt is what the salesperson sees in the panel and what compliance sees in the
audit log, so it must be useful ("USD 0.**/pc FOB Ningbo", "j.h*****@hansen-mb.de")
while the digits of a price, the local part of an email or a password stay hidden.
"""

from __future__ import annotations

import re

from companion.detection.place_names import is_known_place

MAX_EXCERPT = 80
_NUMBER = re.compile(r"\d[\d,.\s]*\d|\d")
_INCOTERM_PLACE = re.compile(
    r"\b(?P<term>FOB|CIF|CFR|CNF|EXW|DDP|DAP|FCA|CPT|CIP|DPU|FAS)(?P<gap>[ \t]+)"
    r"(?P<first>[^\W\d_][\w'’\-]*)(?:(?P<gap2>[ \t]+)(?P<second>[A-Z][\w'’\-]*))?")
_EMAIL = re.compile(r"([\w.!#$%&'*+/=?^`{|}~-]+)@([\w.-]+)")


def mask_digits(value: str) -> str:
    """Keep the first digit of each number, star the rest: 0.42 -> 0.**, 12,500 -> 1*,***.

    A word after an Incoterm stays only when it is a known port or city (`place_names`):
    "FOB Ningbo" stays, "FOB ZQXPLUMB" becomes "FOB Z*******".
    """
    return _mask_places(_mask_numbers(value))


def _mask_places(value: str) -> str:
    def _one(m: re.Match) -> str:
        first, second = m.group("first"), m.group("second")
        if second and is_known_place(f"{first} {second}"):
            return m.group()
        kept = first if is_known_place(first) else mask_name(first)
        return m.group("term") + m.group("gap") + kept + (m.group("gap2") or "") + (
            mask_name(second) if second else "")
    return _INCOTERM_PLACE.sub(_one, value)


def _mask_numbers(value: str) -> str:
    def _one(m: re.Match) -> str:
        seen_first = False
        out = []
        for ch in m.group():
            if ch.isdigit():
                out.append(ch if not seen_first else "*")
                seen_first = True
            else:
                out.append(ch)
        return "".join(out)
    return _NUMBER.sub(_one, value)


def mask_email(value: str) -> str:
    """Keep three characters of the local part and the domain: j.h*****@hansen-mb.de."""
    return _EMAIL.sub(lambda m: m.group(1)[:3] + "*" * max(len(m.group(1)) - 3, 2) + "@" + m.group(2),
                      value)


def mask_phone(value: str) -> str:
    """Keep the first three and last two digits: +86 138 **** **78."""
    digits = [i for i, ch in enumerate(value) if ch.isdigit()]
    hidden = set(digits[3:-2])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(value))


def mask_secret(value: str) -> str:
    """Two characters, then stars (capped so the length does not leak either)."""
    return value[:2] + "*" * min(max(len(value) - 2, 3), 8)


def mask_name(value: str) -> str:
    """First letter of each word: Hansen Maschinenbau -> H***** M**********."""
    return re.sub(r"(\w)(\w+)", lambda m: m.group(1) + "*" * len(m.group(2)), value) \
        if re.search(r"[A-Za-z]", value) else value[:1] + "*" * (len(value) - 1)


_MASKERS = {
    "digits": mask_digits,
    "email": lambda v: mask_email(v) if "@" in v else mask_phone(v),
    "phone": mask_phone,
    "secret": mask_secret,
    "name": mask_name,
    "none": lambda v: v,
}


def masked_excerpt(text: str, start: int, end: int, value_spans: list[tuple[int, int]], style: str) -> str:
    """The text of `[start, end)` with each secret value span masked in `style`.

    Only as much is masked as the excerpt shows: once the masked text holds more than
    MAX_EXCERPT characters after its spaces are squeezed, what follows cannot change the
    excerpt (a finding that merges 1,000 phone numbers masked every one of them)."""
    pieces, cursor, since_look = [], start, 0
    for vs, ve in sorted(value_spans):
        vs, ve = max(vs, cursor), min(ve, end)
        if vs >= ve:
            continue
        pieces.append(text[cursor:vs])
        pieces.append(_MASKERS[style](text[vs:ve]))
        since_look += ve - cursor
        cursor = ve
        if since_look > MAX_EXCERPT:
            since_look = 0
            if len(" ".join("".join(pieces).split())) > MAX_EXCERPT:
                cursor = end  # the excerpt is cut within what is masked already
                break
    pieces.append(text[cursor:end])
    excerpt = " ".join("".join(pieces).split())
    return excerpt if len(excerpt) <= MAX_EXCERPT else excerpt[:MAX_EXCERPT - 1] + "…"
