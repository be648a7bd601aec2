"""Amounts with a currency: "RM 51.30", "AED 1,250", "₹ 4,500", "12,50 €", "99,90 zł", "500 euros".

The currencies are not a hand list: every ISO 4217 code in use, every CLDR symbol and
the currency names in our salespeople's languages come from Babel's CLDR data
(`currency_data.py`), compiled once into one RE2 alternation (linear time on any post).

How sure a match is depends on what could be mistaken for it:
- a symbol with a currency sign (`$`, `R$`, `₹`, `€`) is a price whatever the amount;
- a code or a letter symbol (`AED`, `RM`, `kr`) with a decimal or grouped amount
  (`1,250`, `51.30`, `1.234,56`) is one too;
- so is a name or a symbol in letters no word shares (`zł`, `円`, `美元`, `euros`);
- a code or a short latin token with a bare integer (`TOP 10`, `KM 12`, `2 real issues`,
  `SAR 500`, `Rs 980`) needs a price word nearby (the rule's context): they collide
  with words and units.
What sits right around the match is checked in Python (RE2 has no lookarounds): letters
glued to a code, digits glued to the amount, a document label (`No.`, `#`) in front.
"""

from __future__ import annotations

import re

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

from companion.detection.currency_data import currency_tokens
from companion.detection.linear_regex import LinearPattern

_AMOUNT = (r"\d{1,3}(?:[,.'’ \x{a0}\x{202f}]\d{3})+(?:[.,]\d{1,2})?"
           r"|\d+[.,]\d{1,2}|\d+")
_GAP = r"[ \t\x{a0}\x{202f}]{0,2}:?[ \t\x{a0}\x{202f}]{0,2}"
_SCALE = r"(?:[ \t]?(?:k|K|m|M|mn|bn|million|billion|万|千|亿))?"
_DOC_LABEL = re.compile(r"(?:\b(?:no|nr|nº|n°|ref|inv|invoice|po|order|pi)\.?\s*[:#]?|#)\s*$", re.IGNORECASE)
_DECIMAL_OR_GROUPED = re.compile(r"\d[,.'’ \u00a0\u202f]\d")


def _alternation(tokens: list[str]) -> str:
    return "|".join(re.escape(t).replace("\\ ", r"[ \x{a0}\x{202f}]") for t in sorted(tokens, key=len, reverse=True))


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class CurrencyAmountRecognizer(EntityRecognizer):
    """Currency token + amount in either order, scored by how unambiguous each side is."""

    SIGN_SCORE = 0.8
    CLEAR_AMOUNT_SCORE = 0.75
    BARE_INTEGER_SCORE = 0.5

    def __init__(self):
        super().__init__(supported_entities=["CURRENCY_AMOUNT"], supported_language="en",
                         name="CurrencyAmountRecognizer")

    def load(self) -> None:
        tokens = currency_tokens()
        self._kind = {t: kind for kind in ("unit", "name", "symbol", "sign", "code") for t in tokens[kind]}
        self._folded = {t.casefold(): kind for kind in ("unit", "name") for t in tokens[kind]}
        currency = (f"(?:{_alternation(tokens['code'] + tokens['sign'] + tokens['symbol'])}"
                    f"|(?i:{_alternation(tokens['name'] + tokens['unit'])}))")
        self._pattern = LinearPattern(
            f"(?P<c1>{currency}){_GAP}(?P<a1>{_AMOUNT}){_SCALE}"
            f"|(?P<a2>{_AMOUNT}){_SCALE}{_GAP}(?P<c2>{currency})", max_matches=200)

    def analyze(self, text, entities, nlp_artifacts=None):
        results = []
        for m in self._pattern.finditer(text):
            score = self._score(text, m)
            if score:
                results.append(RecognizerResult(
                    "CURRENCY_AMOUNT", m.start(), m.end(), score,
                    analysis_explanation=AnalysisExplanation(self.name, score),
                    recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                          RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}))
        return results

    def _score(self, text: str, m) -> float:
        first = "c1" if m.group("c1") is not None else "a2"
        token = m.group("c1") if first == "c1" else m.group("c2")
        amount = m.group("a1") if first == "c1" else m.group("a2")
        kind = self._kind.get(token) or self._folded.get(token.casefold(), "sign")
        before = text[m.start() - 1] if m.start() else " "
        after = text[m.end()] if m.end() < len(text) else " "
        if first == "c1":
            if kind != "sign" and _is_word_char(before):
                return 0.0  # "CHAUD 5" is not AUD 5
            if after.isdigit() or (after in ".,/-" and text[m.end() + 1:m.end() + 2].isdigit()):
                return 0.0  # "USD 2024-01-15", "EUR 12/2025": a date, not an amount
            if _is_word_char(after) and not _is_cjk(after):
                return 0.0
        else:
            if before.isdigit() or before in ".,/-" or (before.isalpha() and not _is_cjk(before)):
                return 0.0  # part of a longer code: "A-1200 EUR", "X12 USD"
            if _DOC_LABEL.search(text[max(0, m.start() - 12):m.start()]):
                return 0.0  # "Invoice No. 4411 EUR..." : a document number, never an amount
            if kind != "sign" and _is_word_char(after) and not _is_cjk(after):
                return 0.0  # "100 Brand" is not 100 Br
        if kind == "sign":
            return self.SIGN_SCORE
        if kind not in ("code", "unit") and not (token.isascii() and len(token.rstrip(".")) <= 4):
            return self.SIGN_SCORE  # "zł", "円", "美元", "euros": a currency and nothing else
        return self.CLEAR_AMOUNT_SCORE if _DECIMAL_OR_GROUPED.search(amount) else self.BARE_INTEGER_SCORE


def _is_cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"
