"""Prices in a column under a currency heading, as receipts and price lists print them.

A German receipt names its currency once, above the price column ("EUR", "Preis €",
"kg EURO/kg EURO"), and then prints each line as name, amount and tax class
("Emmentaler Stück 5,18 A"); none of the amounts carries a currency of its own, and OCR
often mangles the total line. So a line that names a currency or titles a price column
("Nettopreis", "Amount", "单价") and holds no figure is a heading, and the lines below it that end in an amount with two decimals are its prices,
when at least MIN_LINES of them follow within REACH lines. One line alone is not a column
(a spec sheet's "Thickness 0,50" under a "Prices in EUR on request" line), and a line that
is a date, a time or a code ("07.04.20") ends in no amount here.

OCR noise is allowed where Tesseract makes it: a space on either side of the decimal comma
("6, 69"), a full-width comma ("225，00"). Linear: two passes over the lines, each line read
at most once by an RE2 pattern with no nested repetition and once for a heading. `CurrencyAmountRecognizer` reports what is
found here as currency amounts: their currency is the heading's.
"""

from __future__ import annotations

from bisect import bisect_right

from companion.detection.linear_regex import LinearPattern

# Column titles of prices on invoices and price lists, matched inside a word as well, as
# German compounds them ("Nettopreis", "Gesamtbetrag"). The same languages as the total lines
# of the pricing pack.
PRICE_TITLES = ("price", "amount", "preis", "betrag", "prix", "montant", "prezzo", "importo", "precio",
                "importe", "cena", "kwota", "prijs", "bedrag", "单价", "金额", "价格", "总价")
MIN_LINES = 2
REACH = 30
MAX_LINE = 200
# An amount with two decimals at the end of a line, then at most a tax class ("A", "*B", "1");
# not a unit in small letters ("Länge 2,50 m" under "Preis auf Anfrage" is a length).
# Over the whole post, line by line ("(?m)"): a match never crosses a line's end.
_LINE_AMOUNTS = LinearPattern(r"(?m)(?:^|[^\d.,，\n])(\d{1,5}[ ]?[.,，][ ]?\d{2})[ \t]*(?:\*?[A-Z0-9]|\*)?[ \t]*$",
                              max_matches=10**9)
_SEPARATORS = str.maketrans("/()[]:;", "       ")
MAX_WORDS = 64
# As many amounts as the currency recognizer reads digit runs: the finding is made long before.
MAX_AMOUNTS = 300


class PriceColumns:
    """Finds amounts at line ends under a line that names a currency and has no figure."""

    def __init__(self, tokens: dict[str, list[str]]):
        word_like = {t.casefold() for t in tokens["word_like"]}
        # Codes, signs and names, but none an English word shares ("ALL", "TOP", "real" head
        # other columns) unless it is a name written in capitals ("EURO").
        self._heads = {t for t in tokens["code"] if t.casefold() not in word_like} | set(tokens["sign"])
        self._head_names = {t.casefold() for t in tokens["name"] if t.casefold() not in word_like}
        self._capital_names = {t.casefold() for t in tokens["name"]}

    def find(self, text: str) -> list[tuple[int, int]]:
        """Spans of the column amounts (only columns of at least MIN_LINES lines).

        Lines ending in an amount are found first; most posts have fewer than two, and then no
        line is read as a heading at all."""
        lines = text.split("\n")
        starts, offset = [], 0
        for line in lines:
            starts.append(offset)
            offset += len(line) + 1
        amounts = {}
        # One pass over the post, not a search per line: a price list of 11,000 lines with a
        # Cyrillic "Р" among them cost 11,000 searches, each encoding its line for RE2 again.
        for m in _LINE_AMOUNTS.finditer(text):
            i = bisect_right(starts, m.start(1)) - 1
            line = lines[i]
            if len(line) <= MAX_LINE and any(ch.isdigit() for ch in line.rstrip()[-4:]):
                amounts[i] = m.span(1)
                if len(amounts) >= MAX_AMOUNTS:
                    break
        if len(amounts) < MIN_LINES:
            return []
        spans: list[tuple[int, int]] = []
        found: list[tuple[int, int]] = []
        since_head = None
        for i in range(max(0, min(amounts) - REACH), max(amounts) + 1):
            line = lines[i]
            if since_head is not None:
                since_head += 1
                if since_head > REACH:
                    spans += _column(found)
                    since_head, found = None, []
            if len(line) > MAX_LINE:
                continue
            if not any(ch.isdigit() for ch in line) and self._is_heading(line):
                spans += _column(found)
                since_head, found = 0, []
            elif since_head is not None and i in amounts:
                found.append(amounts[i])
        return spans + _column(found)

    def _is_heading(self, line: str) -> bool:
        folded = line.casefold()
        if any(title in folded for title in PRICE_TITLES):  # "Preis €", "Nettopreis  Menge"
            return True
        for word in line.translate(_SEPARATORS).split()[:MAX_WORDS]:
            word = word.strip(".,")
            if word in self._heads or word.casefold() in self._head_names or (
                    len(word) >= 3 and word.isupper() and word.casefold() in self._capital_names):
                return True
            if any(ch in self._heads for ch in word):  # "€", "Preis€"
                return True
        return False


def _column(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return found if len(found) >= MIN_LINES else []
