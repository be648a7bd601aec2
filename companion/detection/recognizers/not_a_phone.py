"""Digit runs that look like phone numbers but are not: the labels and shapes of trade.

An export post is full of numbers: orders, POs, invoices, HS codes, model numbers,
containers, booths, dates, amounts. A run of digits right after such a label, a date, an
amount written with thousands separators, a run with a currency code or sign right beside
it ("PTE 120 000 000", "120 000 EUR"), or an ISO 6346 container number with a valid check
digit is never reported as a phone. The label
words are data here; checks run in Python on the few characters before a match (RE2 has
no lookbehind).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from companion.detection.currency_data import currency_tokens

LABELS = ("order", "po", "p/o", "invoice", "inv", "pi", "quote", "quotation", "ref", "reference",
          "hs", "hs code", "hts", "model", "item", "art", "article", "sku", "part", "lot", "batch",
          "serial", "s/n", "sn", "booth", "stand", "hall", "container", "cntr", "tracking", "awb",
          "b/l", "bl", "seal", "case", "ticket", "no", "nr", "订单", "单号", "型号", "编号", "展位",
          "柜号", "提单", "发票", "货号")
_LABEL_BEFORE = re.compile(
    r"(?:^|[^a-z])(?:" + "|".join(re.escape(w) for w in sorted(LABELS, key=len, reverse=True))
    + r")\.?\s*(?:no\.?|nr\.?|number|#|号)?\s*[:：#]?\s*$", re.IGNORECASE)
_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:\s|$)")
# 1.350.000, 12,500,000, 29.1583: an amount or a measurement, not a phone.
_AMOUNT = re.compile(r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?|\d+[.,]\d+")
# "90 728.00", "344.99 - 444.99": cents after one or two separators (phones written with
# dots have three or more: 06.12.34.56.78).
_CENTS = re.compile(r"\d[.,]\d{2}(?:\D|$)")
_CONTAINER_OWNER = re.compile(r"([A-Z]{3}[UJZ])\s?$")
_ISO6346_VALUES = {ch: v for ch, v in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                          [10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 27,
                                           28, 29, 30, 31, 32, 34, 35, 36, 37, 38])}


def container_check_ok(code: str) -> bool:
    """ISO 6346: owner code + category letter + 6 digits + check digit."""
    code = code.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{3}[UJZ]\d{7}", code):
        return False
    values = [_ISO6346_VALUES[c] for c in code[:4]] + [int(d) for d in code[4:10]]
    return sum(v * 2 ** i for i, v in enumerate(values)) % 11 % 10 == int(code[10])


@lru_cache(maxsize=1)
def _currency_codes() -> frozenset[str]:
    return frozenset(currency_tokens()["code"])


def _beside_currency(before: str, after: str) -> bool:
    """A currency code (capitals, CLDR) or sign right before or after the run."""
    last = before.rstrip().rsplit(None, 1)[-1] if before.strip() else ""
    first = after.lstrip().split(None, 1)[0] if after.strip() else ""
    for word in (last, first):
        if word.strip(".,:;") in _currency_codes() or (word and (unicodedata.category(word[-1]) == "Sc"
                                                                or unicodedata.category(word[0]) == "Sc")):
            return True
    return False


def _may_end_in_label(before: str) -> bool:
    """A label ends in a letter, an ideograph, "." (no.), "#", ":" or 号: anything else before
    the run (", ", a digit) spares the label search, which is most of the cost of a number
    in a long list of them."""
    tail = before.rstrip()
    return bool(tail) and (tail[-1].isalpha() or tail[-1] in ".#:：号")


def is_not_a_phone(text: str, start: int, end: int) -> bool:
    """True when `text[start:end]` is a labelled trade number, a date, an amount or a
    container number."""
    before = text[max(0, start - 24):start]
    if _may_end_in_label(before) and _LABEL_BEFORE.search(before):
        return True
    if _beside_currency(before, text[end:end + 8]):
        return True
    raw = text[start:end]
    if _DATE.match(raw.strip() + " ") or _AMOUNT.fullmatch(raw.strip()):
        return True
    if _CENTS.search(raw) and sum(ch in ".," for ch in raw) <= 2:
        return True
    if text[end:end + 1] == ":" and text[end + 1:end + 2].isdigit():
        return True  # "20120102 08:00": a timestamp
    owner = _CONTAINER_OWNER.search(before) if before[-1:].isspace() or before[-1:].isupper() else None
    if owner is None:
        return False
    digits = "".join(filter(str.isdigit, raw))
    return len(digits) == 7 and container_check_ok(owner.group(1) + digits)
