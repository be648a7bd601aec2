"""Amounts with a currency: "RM 51.30", "AED 1,250", "₹ 4,500", "12,50 €", "99,90 zł", "500 euros".

The currencies are not a hand list: every ISO 4217 code in use, every CLDR symbol, every
Unicode currency sign and the currency names in our salespeople's languages come from
Babel's CLDR data (`currency_data.py`); only what CLDR lacks and shops write ("грн",
"تومان", "KD") is kept by hand, with sources (`data/currency_beyond_cldr.yaml`). A regular
expression alternation of ~11,000 tokens is too slow even for RE2 (its automaton no longer fits the DFA cache: 50 ms on a
3,000-character post, seconds on 100,000 characters), so it is read the other way round:
RE2 finds the runs of digits (at most MAX_RUNS), two Aho-Corasick automata (tokens as
written, names casefolded) look for a token in the few characters before and after each
run, and the amount is then read next to that token on a bounded slice.

How sure a match is depends on what could be mistaken for it:
- a symbol with a currency sign (`$`, `R$`, `₹`, `€`) is a price whatever the amount;
- so is a name or a symbol in letters no word shares (`zł`, `円`, `美元`, `euros`);
- so is a code or a short latin symbol no English word shares (`PLN 197`, `Rs 980`,
  `AED 1,250`);
- a code or symbol spelt like an English word (`TOP 10`, `ALL 5`, `CUP 2`, `2 real
  issues`; the list is made from the English model's word index, see `currency_data.py`)
  needs a decimal or grouped amount or a price word nearby (the rule's context);
- the last word of a currency name alone (`pounds`, `won`) counts only with a price word
  nearby, after an amount ("it cost me 50 dollars") or before a decimal or grouped one;
  with two decimals after a comma ("99,00 lei") it is money without one.
What sits right around the match is checked in Python: letters glued to a code, digits
glued to the amount, a document label (`No.`, `#`) in front of it. A receipt's amounts
under a heading that names the currency once ("EUR" over "Emmentaler 5,18 A") come from
`price_column.py`.
"""

from __future__ import annotations

import re

import ahocorasick
from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

from companion.detection.currency_data import all_currency_tokens
from companion.detection.linear_regex import LinearPattern
from companion.detection.recognizers.price_column import PriceColumns

MAX_RUNS = 300
_SLICE = 40
_REACH = 34  # the longest token (30) plus the gap allowed between token and amount
_DIGIT_RUN = LinearPattern(r"\d+(?:[,.'’ \x{a0}\x{202f}]\d+)*", max_matches=MAX_RUNS)
# The last form is cents with the naught left off ("$.75", ".75 €"), as shop pages write them.
_AMOUNT = r"(?:\d{1,3}(?:[,.'’ \u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?|\d+[.,]\d{1,2}|\d+|\.\d{2})"
_AMOUNT_AFTER = re.compile(r"[ \t\u00a0\u202f]{0,2}:?[ \t\u00a0\u202f]{0,2}(" + _AMOUNT + r"(?:[.,]-)?)"
                           r"(?:[ \t]?(?:k|K|m|M|mn|bn|million|billion|万|千|亿))?")
# "50,- Kč", "1.198,- Kr": a whole amount written the Central European way.
_AMOUNT_BEFORE = re.compile(r"(" + _AMOUNT + r"(?:[.,]-)?)[ \t\u00a0\u202f]{0,2}$")
# Amounts in words before a currency: "a thousand yen", "fifty dollars", "十美元", "三千欧元"
# (English and Chinese number words; other languages' are not read yet).
_NUMBER_WORD = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
                "|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
                "|hundred|thousand|million|billion")
_WORDS_RUN = r"(?:a[ \t]+)?(?:{w})(?:(?:[ \t]+|-)(?:and[ \t]+)?(?:{w}))*".format(w=_NUMBER_WORD)
_HAN_NUMERALS = "[零一二两三四五六七八九十百千万亿]+"
_NUMBER_WORDS = LinearPattern(r"(?i:\b" + _WORDS_RUN + r"\b)|" + _HAN_NUMERALS, max_matches=MAX_RUNS)
# On a slice of at most _SLICE + 20 characters before the currency word, so a bounded cost.
# A figure may lead the words ("42 million euros", "320万欧元"): it belongs to the amount.
_WORDS_BEFORE = re.compile(r"(?:(?:\d+(?:[.,]\d+)?[ \t]?)?(?:(?<![^\W\d_])" + _WORDS_RUN + r"[ \t]{1,2}|"
                           + _HAN_NUMERALS + r"[ \t]?))$", re.IGNORECASE)
_DOC_LABEL = re.compile(r"(?:\b(?:no|nr|nº|n°|ref|inv|invoice|po|order|pi)\.?\s*[:#]?|#)\s*$", re.IGNORECASE)
_DECIMAL_OR_GROUPED = re.compile(r"\d[,.'’ \u00a0\u202f]\d|[.,]-$|^\.\d")
# "99,00 lei", "12,50 real": two decimals after a comma is how most of Europe and Latin
# America write money; a weight or a length in pounds is not written so.
_COMMA_CENTS = re.compile(r"\d,\d{2}$")
# Money as a one-letter symbol takes it: grouped thousands or two decimals, right after it.
_BLANKS = " \t\u00a0\u202f"
_MONEY_SHAPE = re.compile(r"\d{1,3}(?:[,.' ]\d{3})+(?:[.,]\d{2})?|\d+[.,]\d{2}")


def _is_word_char(ch: str) -> bool:
    return (ch.isalnum() or ch == "_") and not _is_cjk(ch)


def _is_cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


# Persian and Arabic spell the same letters with different code points (ی/ي, ک/ك): "ریال"
# in a Persian post is the "ريال" of an Arabic one. One for one, so offsets hold.
_ARABIC_LETTERS = str.maketrans("یک", "يك")


_APOSTROPHES = str.maketrans("\u02bb\u02bc\u2019", "'" * 3)


def _fold(text: str) -> str:
    if "ی" in text or "ک" in text:  # str.translate copies any non-ASCII text character by character
        text = text.translate(_ARABIC_LETTERS)
    folded = text.casefold()
    if len(folded) == len(text):
        return folded
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _automaton(tokens: dict[str, str]):
    automaton = ahocorasick.Automaton()
    for token, kind in tokens.items():
        automaton.add_word(token, (token, kind))
    automaton.make_automaton()
    return automaton


class CurrencyAmountRecognizer(EntityRecognizer):
    """Currency token + amount in either order, scored by how unambiguous each side is."""

    SIGN_SCORE = 0.8
    CLEAR_AMOUNT_SCORE = 0.75
    BARE_INTEGER_SCORE = 0.5

    def __init__(self):
        super().__init__(supported_entities=["CURRENCY_AMOUNT"], supported_language="en",
                         name="CurrencyAmountRecognizer")

    def load(self) -> None:
        tokens = all_currency_tokens()
        exact = {t: kind for kind in ("capital", "code", "sign", "symbol") for t in tokens[kind]}
        # A symbol CLDR writes in small letters also starts a line ("Kr", "Zł"); in capitals only
        # with a letter no standard's name shares ("ZŁ", but not "DIN 912").
        for t in tokens["symbol"]:
            if t.islower() and not _non_latin(t):
                for variant in (t.capitalize(), t.upper() if not t.isascii() else None):
                    if variant:
                        exact.setdefault(variant, "symbol")
        folded = {_fold(t): kind for kind in ("clipped", "short", "unit", "name") for t in tokens[kind]}
        # A symbol in another script is no English word in capitals: "ДЕН", "Дин" as "ден", "дин".
        folded.update({_fold(t): "symbol" for t in tokens["symbol"] if _non_latin(t)})
        self._word_like = {t.casefold() for t in tokens["word_like"]}
        self._measure = {t.casefold() for t in tokens["measure"]}
        self._money_words = {t.casefold() for t in tokens["money_word"]}
        # Codes and Latin symbols in another case ("chf", "Vt" for "VT", "KSh" for "Ksh"): as
        # sure as a word-like code, unless a word or a unit of measure is written so.
        for t in tokens["code"] + tokens["symbol"]:
            if t.isascii() and sum(ch.isalpha() for ch in t) >= 2 and t.casefold() not in self._word_like:
                folded.setdefault(_fold(t), "variant")
        # Keyboards type a plain apostrophe where CLDR writes a modifier letter: "so'm", "pa'anga".
        for table in (exact, folded):
            table.update({t.translate(_APOSTROPHES): k for t, k in list(table.items())
                          if t.translate(_APOSTROPHES) != t})
        self._exact, self._folded = _automaton(exact), _automaton(folded)
        self._written = set(exact)
        self._columns = PriceColumns(tokens)

    def analyze(self, text, entities, nlp_artifacts=None):
        spans: dict[tuple[int, int], float] = {}
        for lo, hi in _windows(text):
            piece = text[lo:hi]
            for source, automaton in ((piece, self._exact), (_fold(piece), self._folded)):
                for last, (token, kind) in automaton.iter(source):
                    start = lo + last - len(token) + 1
                    for span, score in self._amounts_around(text, start, lo + last + 1, kind):
                        spans[span] = max(spans.get(span, 0.0), score)
        # Receipts: amounts under a currency heading ("EUR" over "Emmentaler 5,18 A").
        for span in self._columns.find(text):
            spans[span] = max(spans.get(span, 0.0), self.CLEAR_AMOUNT_SCORE)
        return [RecognizerResult("CURRENCY_AMOUNT", s, e, score,
                                 analysis_explanation=AnalysisExplanation(self.name, score),
                                 recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                                       RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id})
                for (s, e), score in _longest(spans).items() if score > 0]

    def _amounts_around(self, text: str, start: int, end: int, kind: str):
        if kind == "variant" and text[start:end] in self._written:
            return  # written as CLDR writes it: read by the exact automaton
        if kind == "capital":
            yield from self._glued_to_capital(text, start, end)
            return
        if kind == "sign":
            start = _country_letters_start(text, start)
        token = text[start:end]
        lettered = kind != "sign"
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if lettered and _is_word_char(before) and _is_word_char(after):
            return  # inside a word ("р" in "Цена"): neither reading can hold
        # Token first: "AED 1,250", "$5k".
        m = _AMOUNT_AFTER.match(text, end, min(len(text), end + _SLICE))
        token_first_clear = False
        if m and not (lettered and _is_word_char(before)):
            tail = text[m.end()] if m.end() < len(text) else " "
            next_two = text[m.end():m.end() + 2]
            if not (tail.isdigit() or _is_word_char(tail)
                    or (len(next_two) == 2 and next_two[0] in ".,/-" and next_two[1].isdigit())):
                token_first_clear = bool(_DECIMAL_OR_GROUPED.search(m.group(1)))
                yield (start, m.end()), self._score(kind, token, m.group(1), amount_first=False)
        if token_first_clear:
            # "20,000 USD 0.42/pc": the quantity before the code is not its amount; the amount
            # written after the code is, and a second reading would stretch the price back
            # over the quantity (and its black-out box over the wrong column).
            return
        # Amount first: "12,50 €", "99,90 zł", "500 euros".
        if lettered and _is_word_char(after):
            return
        m = _AMOUNT_BEFORE.search(text, max(0, start - _SLICE), start) if _ends_before(
            text, start, max(0, start - _SLICE), _amount_end) else None
        if not m:
            words = _WORDS_BEFORE.search(text, max(0, start - _SLICE - 20), start) if _ends_before(
                text, start, max(0, start - _SLICE - 20), str.isalpha) else None
            if words:  # "a thousand yen": as sure as a bare integer before the same word
                yield (words.start(), end), self._score(kind, token, "1", amount_first=True)
            return
        if m:
            head = text[m.start() - 1] if m.start() else " "
            if head.isdigit() or head in ".,/-" or _is_word_char(head):
                return  # part of a longer code: "A-1200 EUR", "X12 USD"
            if _DOC_LABEL.search(text, max(0, m.start() - 12), m.start()):
                return  # "Invoice No. 4411 EUR": a document number, never an amount
            score = self._score(kind, token, m.group(1), amount_first=True)
            if 0 < score < self.CLEAR_AMOUNT_SCORE and self._price_tag(text, m.start(), end, token, kind):
                score = self.CLEAR_AMOUNT_SCORE
            yield (m.start(), end), score

    def _glued_to_capital(self, text: str, start: int, end: int):
        """"R273.00", "R8,499", "Q1,250.00": one capital letter is a currency only glued to an
        amount with two decimals or grouped thousands, and standing alone ("R2" or "K2.5" are
        models and versions, "A 12,50" a tax class on a receipt)."""
        if start and (_is_word_char(text[start - 1]) or text[start - 1] in ".-/"):
            return
        if _DOC_LABEL.search(text, max(0, start - 12), start):
            return  # "Order R2024.01", "Invoice #K1,204": a document number
        m = _MONEY_SHAPE.match(text, end, min(len(text), end + _SLICE))
        if not m:
            return
        tail = text[m.end():m.end() + 2]
        if tail[:1] and (_is_word_char(tail[0]) or (tail[0] in ".,/-" and tail[1:2].isdigit())):
            return
        yield (start, m.end()), self.CLEAR_AMOUNT_SCORE

    def _price_tag(self, text: str, start: int, end: int, token: str, kind: str) -> bool:
        """A line that holds nothing but an amount and then a currency ("1 500 Р", "49 lei",
        "1 GEL") is a price tag, as on a shelf, a price list or a shop page; unless the
        token is also a unit of measure ("5 KM", "2 pounds", "3 Ft"), or a unit word that
        only one currency's name gives ("3 Gold", "2 Helena")."""
        folded = token.casefold()
        if folded.rstrip(".") in self._measure:
            return False
        if kind == "unit" and not _non_latin(token) and folded not in self._money_words:
            return False
        # Only the blanks on either side are read, so the cost stays with the match.
        before = start
        while before > 0 and text[before - 1] in _BLANKS:
            before -= 1
        after = end
        while after < len(text) and text[after] in _BLANKS:
            after += 1
        return (before == 0 or text[before - 1] in "\r\n") and (after == len(text) or text[after] in "\r\n")

    def _score(self, kind: str, token: str, amount: str, amount_first: bool) -> float:
        clear = bool(_DECIMAL_OR_GROUPED.search(amount))
        if token.casefold().rstrip(".") in self._measure:
            # "1,200 KGS", "2.5 KM", "500 pounds": a quantity unless a price word is near
            return self.BARE_INTEGER_SCORE if amount_first or clear else 0.0
        if kind in ("short", "variant"):  # "336 р.", "S/ 25.00", "50 chf": like a word-like code
            return self.CLEAR_AMOUNT_SCORE if clear else self.BARE_INTEGER_SCORE
        if kind == "clipped":  # "3 300 руб", "12 900,00 руб"; a bare "30 руб" needs a price word
            return self.CLEAR_AMOUNT_SCORE if clear else self.BARE_INTEGER_SCORE
        if kind == "unit" and not _non_latin(token):
            if _COMMA_CENTS.search(amount):
                return self.CLEAR_AMOUNT_SCORE
            # "It cost me 50 dollars" needs its price word; "won 3 awards" never counts.
            return self.BARE_INTEGER_SCORE if clear or amount_first else 0.0
        if kind == "unit":  # "ريال", "درهم", "원", "рублей" next to an amount: no English homograph
            return self.CLEAR_AMOUNT_SCORE if clear else self.BARE_INTEGER_SCORE
        if kind == "sign":
            return self.SIGN_SCORE
        if token.casefold() in self._word_like:  # "TOP 10", "ALL 5", "2 real issues"
            return self.CLEAR_AMOUNT_SCORE if clear else self.BARE_INTEGER_SCORE
        if kind != "code" and not (token.isascii() and len(token.rstrip(".")) <= 4):
            return self.SIGN_SCORE  # "zł", "円", "美元", "euros": a currency and nothing else
        return self.CLEAR_AMOUNT_SCORE  # "PLN 197", "Rs 980": a code no word shares


def _amount_end(ch: str) -> bool:
    """What `_AMOUNT_BEFORE`'s amount ends in: a digit (`\\d` is any decimal digit) or ",-"."""
    return ch.isdecimal() or ch == "-"


def _ends_before(text: str, start: int, floor: int, last) -> bool:
    """False when a pattern that ends in `$` at `start`, after at most two blanks, cannot match in
    `text[floor:start]`: no character `last` accepts stands there before the blanks (Python's `$`
    also matches before a newline that ends the slice). Searching backwards from a sign tried each
    of 40 starting points (a post with a `$` or `€` every few characters: 20 ms); most end in
    neither a digit nor a letter."""
    ends = (start, start - 1) if start > floor and text[start - 1] == "\n" else (start,)
    for at in ends:
        for _ in range(3):  # the character before zero, one or two blanks
            if at <= floor:
                break
            if last(text[at - 1]):
                return True
            if text[at - 1] not in _BLANKS_BEFORE:
                break
            at -= 1
    return False


_BLANKS_BEFORE = " \t\u00a0\u202f"


def _country_letters_start(text: str, start: int) -> int:
    """Where a sign's country letters begin: "Z$", "J$", "CUC$", "E£" are the sign with up to
    three capitals glued in front (CLDR lists some, "NT$", "R$"; posts write more), so the
    amount before them ("1 Z$", "45 E£") is the sign's amount."""
    at = start
    while at > 0 and start - at < 3 and "A" <= text[at - 1] <= "Z":
        at -= 1
    if at < start and (at == 0 or not _is_word_char(text[at - 1])):
        return at
    return start


def _non_latin(token: str) -> bool:
    """True for a word in a script other than Latin ("ريال", "원", "рублей"): an English word
    it could be mistaken for does not exist, so a unit word there reads as the currency."""
    return not any("a" <= ch.casefold() <= "z" or "\u00c0" <= ch <= "\u024f" for ch in token)


def _windows(text: str) -> list[tuple[int, int]]:
    """Merged windows of _REACH characters on each side of every digit run, and after every
    run of number words (their currency follows them)."""
    windows: list[list[int]] = []
    runs = sorted([(*m.span(), True) for m in _DIGIT_RUN.finditer(text)]
                  + [(*m.span(), False) for m in _NUMBER_WORDS.finditer(text)])
    for s, e, both_sides in runs:
        sides = ((max(0, s - _REACH), min(s, e, s + 1)),) if both_sides else ()
        for lo, hi in sides + ((max(s, e - 1), min(len(text), e + _REACH)),):
            if windows and lo <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], hi)
            else:
                windows.append([lo, hi])
    return [(lo, hi) for lo, hi in windows]


def _longest(spans: dict[tuple[int, int], float]) -> dict[tuple[int, int], float]:
    """Drop spans inside a longer one ("$" inside "US$ 12", "dollars" inside "US dollars")."""
    kept: dict[tuple[int, int], float] = {}
    for (s, e), score in sorted(spans.items(), key=lambda x: (x[0][0], -x[0][1])):
        inside = next(((ks, ke) for ks, ke in kept if ks <= s and e <= ke), None)
        if inside:
            kept[inside] = max(kept[inside], score)
        else:
            kept[(s, e)] = score
    return kept
