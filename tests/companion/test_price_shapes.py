"""Prices in the shapes found on the public set's train and dev splits and in receipt photos.

Each row is what a user would see: the post, and the price the companion names (or that it
names none). The rows come from shapes, not from the evaluation strings: a receipt's price
column under a currency heading, OCR's spaces beside the decimal comma, one-letter symbols
glued to an amount, Cyrillic abbreviations without their point, regional CLDR symbols;
a line holding only an amount and a currency (a price tag), the ruble's "р."/"Р", codes in
another case, Arabic symbols shown point first, Traditional Chinese names.
"""

from __future__ import annotations

import pytest

from companion.detection.currency_data import currency_tokens, tokens_beyond_cldr
from companion.detection.recognizers.price_column import MAX_AMOUNTS, PriceColumns

RECEIPT = ("Warburger Straße 130\n33100 Paderborn\nEUR\nEmmentaler Stück 5,18 A\n"
           "Bulgur-Kräuter 1 x 1,98 A\nBar 10,00\nDatum 07.04.20 14:37 Uhr\n")

FOUND = [
    # a receipt: the currency once, over the column; OCR noise in the amounts
    (RECEIPT, "5,18"),
    ("Preis €\nHolzkohle 3 kg 5,99 A\nTabak 4,50 A", "5,99"),
    ("kg EURO/kg EURO\nBANANEN 0,22\nJOGHURT 0,35", "0,35"),
    ("Artikel   EUR\nKaffee 3, 29 B\nMilch 0,89 *A", "3, 29"),
    # an invoice's column titled with a price word, the currency named far above
    ("Beschreibung Nettopreis Menge Einheit Nettobetrag\nTrennblätter A4 9,900 20 Stk 19% 198,00\n"
     "Joghurt Banane 5.5000 50 Stk 275,00", "275,00"),
    # totals read from photos
    ("ZU ZAHLEN EURO 14, 16", "ZU ZAHLEN EURO 14, 16"),
    ("Sumne 2, 33\nDanke", "Sumne 2, 33"),
    ("Betrag EUR 225 , 00", None),
    ("Total EUR 225，00", None),
    # one capital letter glued to money
    ("Paid R273.00 at the till", "R273.00"),
    ("Now only R8,499", "R8,499"),
    # Cyrillic abbreviations without the point, after a grouped or decimal amount
    ("Цена 3 300 руб", None),
    ("12 900,00 руб", "12 900,00 руб"),
    # regional CLDR symbols, and a non-Latin symbol in capitals
    ("1 FG", "1 FG"),
    ("5 ДИН", "5 ДИН"),
    # a symbol in small letters, capitalised or in capitals
    ("Preis 1.198,- Kr", "1.198,- Kr"),
    ("99,90 ZŁ", "99,90 ZŁ"),
    # a price tag: a line with nothing but an amount and its currency
    ("Handmade scarf\n45 lei", "45 lei"),
    ("Wool hat\n300 som\nFelt slippers", "300 som"),
    ("Khachapuri\n3 GEL", "3 GEL"),
    ("Ticket\n2 francs", "2 francs"),
    # the ruble written with its symbol's letter, or the abbreviation of the 1990s ruble
    ("Чехол для телефона\n450 р.", "450 р."),
    ("Скидка! 2 190 Р", "2 190 Р"),
    ("Цена: 1 250,50 р", None),
    # codes and symbols in another case, with a clear amount
    ("Shipping 25.00 chf", "25.00 chf"),
    ("Bag\n120 Sek", "120 Sek"),
    # one letter with a slash; Arabic symbols as a left-to-right page shows them
    ("Polo S/ 39.90", "S/ 39.90"),
    ("Now 15 .د.ك", "15 .د.ك"),
    # Traditional Chinese names
    ("這款只要 350 港幣", "350 港幣"),
    # amounts in Chinese numerals beside a unit, a per-piece word or a total
    ("这款一千二百元一台", "一千二百元一台"),
    ("每件三十五元，量大从优", "每件三十五元"),
    ("合计一千五百元", "合计一千五百元"),
]

NOT_FOUND = [
    # a column needs its heading and two lines
    "Emmentaler 5,18 A\nBulgur 1,98 A",
    "Prices in EUR on request\nThickness 0,50",
    "EUR\nLieferung am 07.04.20\nBon 4411",
    "TOP PRODUCTS\nSteel sheet 2,50 A\nCoil 1,25 B",
    "Amount of containers\nHamburg 12\nRotterdam 8",
    "Total pages\nPrinted 07.04.20\nReviewed 08.04.20",
    "Preis auf Anfrage\nLänge 2,50 m\nBreite 1,20 m",
    # spaced decimals only where a total ends its line
    "Total: 3, 12 and 40 pages",
    "Betrag 13",
    # one capital letter: models, versions, documents
    "R2 and K2.5 ship in May",
    "Order R2024.01 is ready",
    "Invoice #K1,204 attached",
    "Grade A 12,50 mm sheet",
    # bare Cyrillic cuts and dates
    "10 мар",
    "Встреча 10 мар. в 15:00",
    # document numbers, dates and HS codes stay what they are
    "HS code 8471.30 for the laptops",
    "Our price list covers DIN 912 and DIN 933 bolts",
    # a line of an amount and a unit of measure is a quantity, not a price tag
    "Morning run\n5 KM",
    "Ceiling height\n9 Ft",
    "Parcel\n2 pounds",
    "Net weight 500 KGS",
    "Net weight 1,200 KGS",
    "Distance to the port 2.5 KM",
    # a unit word only one currency's name gives, and words among prose
    "Medals\n3 Gold",
    "Deals this quarter\n12 won\n3 lost",
    "Gospel reading\n1 Mark",
    "We sold 45 lei style garlands at the fair",
    # the ruble's one letter with a bare figure and no price word
    "2 р. в неделю",
    "Встреча 10 мар",
    # Chinese numerals without money: a count, a term of art, a shop name
    "我们有三百五十个客户",
    "推进价格一元化",
    "这个三元组很有用",
    # tokens beyond CLDR that abbreviate other things too, with a bare figure and no price word
    "3 BD 2 BA apartment near the port",
    "Windows NT 4.0 and Fr. Smith",
    "Join our 5 тг channels",
]


@pytest.mark.parametrize("text,span", FOUND)
def test_price_found(detection_engine, text, span):
    found = [f for f in detection_engine.check_text(text) if f.category == "pricing" and f.severity != "info"]
    assert found, "no price found"
    if span is not None:
        assert span in [text[f.start:f.end] for f in found]


@pytest.mark.parametrize("entry", tokens_beyond_cldr(), ids=lambda e: e["currency"])
def test_tokens_beyond_cldr_are_read_in_their_examples(detection_engine, entry):
    """Each hand-kept token (data/currency_beyond_cldr.yaml) makes its own example a price."""
    text = entry["example"]
    found = [text[f.start:f.end] for f in detection_engine.check_text(text)
             if f.category == "pricing" and f.severity != "info"]
    assert any(entry["token"] in span for span in found), found


def test_a_plain_apostrophe_reads_as_cldrs_modifier_letter(detection_engine):
    text = "Plov\n25 000 so'm"
    assert [f for f in detection_engine.check_text(text) if f.category == "pricing"]


@pytest.mark.parametrize("text", NOT_FOUND)
def test_no_price(detection_engine, text):
    assert not [f for f in detection_engine.check_text(text) if f.category == "pricing" and f.severity != "info"]


def test_column_amounts_are_the_line_ends_under_the_heading():
    columns = PriceColumns(currency_tokens())
    assert [RECEIPT[s:e] for s, e in columns.find(RECEIPT)] == ["5,18", "1,98", "10,00"]


def test_a_column_ends_after_its_reach():
    columns = PriceColumns(currency_tokens())
    text = "EUR\n" + "Note\n" * 40 + "Widget 5,18 A\nGadget 1,98 A\n"
    assert columns.find(text) == []


def test_a_long_column_is_read_up_to_its_bound():
    """A post of 20,000 column lines: the first MAX_AMOUNTS amounts are read, in order, and no
    more (what is done with them afterwards must not grow with the post)."""
    columns = PriceColumns(currency_tokens())
    text = ("EUR\n" + "Item 1,00 A\n" * 20) * 1_000
    found = columns.find(text)
    assert len(found) == MAX_AMOUNTS and found == sorted(found)
    assert all(text[s:e] == "1,00" for s, e in found)


def test_the_look_before_a_currency_skips_only_slices_its_patterns_cannot_match():
    """`_ends_before` spares the backwards searches before a sign; it may say no only where the
    search itself finds nothing (random slices of digits, blanks, newlines, signs, letters, Han
    numerals and number words)."""
    import random

    from companion.detection.recognizers import currency_amount as c

    rnd = random.Random(11)
    alphabet = "0123456789٣ \t\u00a0\u202f\n-.,'’abcXYZ$€中零一二十万onetwohundredmillion "
    missed = []
    for _ in range(20_000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(1, 70)))
        start = rnd.randrange(len(text) + 1)
        for reach, pattern, last in ((c._SLICE, c._AMOUNT_BEFORE, c._amount_end),
                                     (c._SLICE + 20, c._WORDS_BEFORE, str.isalpha)):
            floor = max(0, start - reach)
            if pattern.search(text, floor, start) and not c._ends_before(text, start, floor, last):
                missed.append(text[floor:start])
    assert missed == []
