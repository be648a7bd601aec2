"""Currency codes, symbols and names from the Unicode CLDR, as Babel ships them.

Reading every locale's currency data through Babel takes seconds, too long for the
companion's start, so `scripts`-free regeneration lives here: `python -m
companion.detection.currency_data` writes `data/currency_tokens.json`, and a test checks
that the file still equals what the installed Babel gives. At run time only the JSON is
read. Nothing in that table is a hand list: every token is a CLDR code, symbol or display
name. What CLDR lacks and shops write ("грн", "تومان", "KD", "VNĐ") is kept apart, by hand,
in `data/currency_beyond_cldr.yaml`, each token with its currency, its source and an example;
`all_currency_tokens` adds it to the table at run time.

Token kinds:
- `code`: an ISO 4217 code (`AED`, `PLN`), matched in capitals only;
- `sign`: a symbol holding a currency sign (`$`, `R$`, `₹`, `US$`, `¥`);
- `symbol`: a symbol written with letters (`zł`, `RM`, `Rs`, `kr`), matched as written;
- `name`: a display name (`euros`, `美元`, `円`), matched in any case;
- `unit`: the last word of a multi-word name (`pounds`, `рубль`), matched in any case and
  sure only with a decimal or grouped amount;
- `word_like`: codes, symbols and names spelt like an English word (`TOP`, `ALL`, `kr`,
  `real`), which need a clear amount or a price word nearby;
- `capital`: symbols of one capital letter (`R`, `K`, `Q`), a currency only when glued to an
  amount with two decimals or grouped thousands (`R273.00`, `R8,499`);
- `clipped`: the Cyrillic abbreviations below without their point (`руб`), and one-letter
  symbols in another script without theirs (`р` of `р.`), a currency only after a grouped or
  decimal amount (`3 300 руб`, `12 900,00 руб`, `2 500 Р`);
- `short`: symbols of one letter and a point or a slash (`р.`, `S/`, `B/.`), matched in any
  case and sure only with a decimal or grouped amount, like `word_like`;
- `measure`: tokens that CLDR's English units of length, mass, volume and area also spell
  (`Ft` and ft, `KM` and km, `KGS` and kgs, `pounds`): a quantity unless a price word is
  near, whatever the amount ("1,200 KGS"), and a line holding only "5 KM" stays a distance;
- `money_word`: unit words that several currencies of one language share (`franc`, `lei`,
  `som`, `dinar`): the unit of money, not of one country's name ("Helena", "Principe"), and
  not a word English also uses as a verb or an adjective ("won", "frank").

Symbols come from every CLDR locale, regional ones included (`FG`, `Rf`, `VT`), and Arabic
ones also without the hamza on their alef (`د.ا` for `د.أ`), as they are often typed.

Currencies count while they are legal tender somewhere or were since RECENT_SINCE: a price
quoted last year in leva (`230 лв.`) or kuna is still a price in a post today. A
redenomination keeps the money's name and its writing: the symbol CLDR gives the money a
current currency replaced in the same country under the same name (`р.` of the Russian
ruble of 1991-1998, `Bs.` of the bolívar of 2008-2018) is still how shops write it.
Arabic symbols ending in a point also come as a left-to-right page shows them, the point
first (`.د.ب` for `د.ب.`). Names also come in the other scripts of our languages (`港幣`,
`新台幣` from zh_Hant), and abbreviated the way Cyrillic writing cuts a word (`1 600 руб.`, `20 долл.`): the
first three or more letters of a currency's unit word up to a consonant, then a point
(`cyrillic_abbreviations`). They are derived from CLDR's names, not listed by hand.
"""

from __future__ import annotations

import datetime
import json
import unicodedata
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "currency_tokens.json"
# The few tokens CLDR lacks ("грн", "تومان", "KD"), kept by hand with their sources.
BEYOND_CLDR_FILE = Path(__file__).parent / "data" / "currency_beyond_cldr.yaml"
BEYOND_CLDR_KINDS = ("name", "symbol", "word_like", "clipped")
# Display names are read in the languages our salespeople write in; symbols from every
# language CLDR has.
NAME_LOCALES = ("en", "zh", "ja", "ko", "de", "fr", "es", "it", "pl", "pt", "nl", "ru", "uk", "ar", "fa", "tr",
                "ro", "cs", "sv", "da", "nb", "hu", "el", "vi", "th", "id", "ms", "hi", "he")
# Languages that put the noun before its adjective ("ريال سعودي", "leu românesc", "dólar
# estadounidense"): there the unit word of a name is its first word, elsewhere its last.
NOUN_FIRST_LOCALES = ("ar", "fa", "fr", "es", "it", "pt", "ro", "vi", "he", "id", "ms")
# Bulgaria's lev (to 2026), Croatia's kuna (to 2023): prices in them are still in posts and
# documents a salesperson quotes from.
RECENT_SINCE = datetime.date(2020, 1, 1)
_CYRILLIC_VOWELS = set("аеёиоуыэюяіїєьъй")
_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u061c"), None)


def _clean(token: str) -> str:
    token = token.translate(_INVISIBLE).replace("\u00a0", " ").replace("\u202f", " ")
    return " ".join(token.split())


def _with_and_without_point(symbol: str) -> set[str]:
    """A CLDR symbol as posts write it: CLDR ends many abbreviations with a point ("din.",
    "ر.س.", "Nu."), and posts mostly leave it off ("1,200 din", "ر.س 500")."""
    bare = symbol.rstrip(".")
    if bare != symbol and (has_sign(bare) or sum(ch.isalpha() for ch in bare) >= 2):
        return {symbol, bare}
    return {symbol}


def _unit_word(name: str, noun_first: bool) -> str:
    """The unit word of a multi-word name: "British pounds" -> "pounds", "ريال سعودي" -> "ريال"."""
    words = name.split()
    return words[0] if noun_first else words[-1]


def _syllabic(word: str) -> bool:
    """Hangul, kana and Han: one character is a whole word ("원")."""
    return all("\u1100" <= ch <= "\u11ff" or "\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" for ch in word)


def has_sign(token: str) -> bool:
    return any(unicodedata.category(ch) == "Sc" for ch in token)


def build_table() -> dict[str, list[str]]:
    """Every usable token by kind, from Babel's CLDR data (slow: reads every locale)."""
    from babel import numbers
    from babel.core import get_global

    # Currencies that are legal tender somewhere today or were since RECENT_SINCE: no gold (XAU, "or", 金), no
    # testing codes, no francs and marks of the past.
    today = datetime.date.today()
    codes = sorted({code for territory in get_global("territory_currencies")
                    for code in numbers.get_territory_currencies(territory, start_date=RECENT_SINCE,
                                                                 end_date=today, tender=True)})
    symbols, names, shared, others = _read_locales(codes)
    units = {unit for (_, unit) in shared}
    # Every character Unicode classes as a currency sign (Sc) counts, even one CLDR gives no
    # locale for (₿, ¢, ﷼, ￡).
    unicode_signs = {chr(cp) for cp in range(0x20, 0x10000) if unicodedata.category(chr(cp)) == "Sc"}
    symbols |= {_without_hamza(s) for s in symbols}
    symbols |= {v for s in symbols for v in _point_first(s)}
    signs = sorted({s for s in symbols if has_sign(s)} | unicode_signs)
    # One capital letter (R, K, Q, P): a currency only glued to a money-shaped amount ("R273.00").
    capitals = sorted(s for s in symbols if len(s) == 1 and "A" <= s <= "Z")
    # A single letter (R, K, L) or a bare abbreviation point is no currency on its own in a post.
    letters = {s for s in symbols if not has_sign(s) and sum(ch.isalpha() for ch in s) >= 2} - set(codes)
    # One letter with its point or slash ("р.", "S/", "B/."): as sure as a word-like code.
    short = {s for s in symbols if len(s) > 1 and not has_sign(s) and sum(ch.isalpha() for ch in s) == 1}
    words = {n for n in names if "(" not in n and len(n) <= 30 and not has_sign(n)} - set(codes) - letters
    # The unit word of a multi-word name ("British pounds" -> "pounds", "российский рубль" ->
    # "рубль"): written alone, it is as ambiguous as a code ("500 pounds" of steel).
    units = {u for u in units if len(u) >= 3 or (u and not u.isascii() and u.isalpha() and _syllabic(u))} - words
    words |= cyrillic_abbreviations(units | words) - words
    # The same cut without its point ("3 300 руб", "2 500 Р"), from the unit words and the
    # one-letter symbols of other scripts: sure only after a grouped or decimal amount, as
    # bare letters they are too often a word.
    clipped = ({a.rstrip(".") for a in cyrillic_abbreviations(units)}
               | {s.rstrip(".").casefold() for s in short if _non_latin(s) and s.endswith(".")})
    clipped -= {w.casefold() for w in words}
    words |= {n for n in others if "(" not in n and len(n) <= 30 and not has_sign(n)} - symbols - units
    english, not_nouns = _english_words()
    measure = _measure_words()
    measured = sorted(t for t in set(codes) | letters | words | units
                      if t.isascii() and _as_measure(t.casefold().rstrip("."), measure))
    word_like = sorted({t for t in set(codes) | letters | words
                        if t.isascii() and t.casefold().rstrip(".") in english} | (set(measured) - units))
    return {"code": codes, "sign": signs, "symbol": sorted(letters), "name": sorted(words),
            "unit": sorted(units), "word_like": word_like, "capital": capitals, "clipped": sorted(clipped),
            "short": sorted(short), "measure": measured,
            "money_word": sorted({u for (_, u), c in shared.items()
                                  if len(c) > 1 and u in units and u.isascii() and u.casefold() not in not_nouns})}


def _read_locales(codes: list[str]):
    """Symbols from every locale; names and unit words (by locale and unit: the codes that
    use it) from our languages; whole non-Latin names from our languages' other scripts."""
    from babel import Locale, localedata

    written = set(codes) | _redenominated(set(codes))
    symbols, names, shared, others = set(), set(), {}, set()
    for ident in localedata.locale_identifiers():
        locale = Locale.parse(ident)
        # Symbols from regional locales too: a country writes its own money its own way
        # ("FG" in Guinea, "Rf" in the Maldives, "VT" in Vanuatu, "дин" in Bosnia).
        for code, symbol in locale.currency_symbols.items():
            if code in written:
                symbols |= _with_and_without_point(_clean(symbol))
        language, _, script = ident.partition("_")
        if ident in NAME_LOCALES:
            names |= _names(locale, codes)
            for code in codes:
                for unit in _unit_words(locale, code, ident in NOUN_FIRST_LOCALES):
                    shared.setdefault((ident, unit), set()).add(code)
        elif language in NAME_LOCALES and len(script) == 4:
            # Our languages in another script (zh_Hant's "港幣", "新台幣"): whole names only.
            others |= {n for n in _names(locale, codes) if _non_latin(n)}
    return symbols, names, shared, others


def _names(locale, codes: list[str]) -> set[str]:
    """A locale's display names of the given currencies, singular and plural forms."""
    local = {_clean(n) for c, n in locale.currencies.items() if c in codes}
    for code, forms in locale._data["currency_names_plural"].items():
        if code in codes:
            local.update(_clean(n) for n in forms.values())
    return local


def _unit_words(locale, code: str, noun_first: bool) -> set[str]:
    """The unit words of a currency's multi-word names in one locale, singular and plural."""
    return {_unit_word(n, noun_first) for n in _names(locale, [code]) if " " in n and "(" not in n}


def _redenominated(codes: set[str]) -> set[str]:
    """Codes of money that a current currency replaced in the same country under the same
    English name, the years aside: "Russian Ruble (1991–1998)" before "Russian Ruble"."""
    from babel import Locale
    from babel.core import get_global

    english = Locale.parse("en").currencies
    out = set()
    for history in get_global("territory_currencies").values():
        live = {entry[0] for entry in history if entry[0] in codes}
        for old in {entry[0] for entry in history} - codes:
            name, _, years = english.get(old, "").partition(" (")
            if years[:4].isdigit() and any(english.get(new) == name for new in live):
                out.add(old)
    return out


def _point_first(symbol: str) -> set[str]:
    """"د.ب." as a left-to-right page shows it, the point first (".د.ب"): Arabic
    abbreviations of single letters, each followed by a point."""
    letters = symbol.rstrip(".").split(".")
    if len(letters) < 2 or not all(len(x) == 1 and "\u0600" <= x <= "\u06ff" for x in letters):
        return set()
    return {"." + ".".join(letters)}


def _non_latin(token: str) -> bool:
    """A token with no Latin letter ("ლარი", "港幣", "р."): no English word shares it."""
    return not any("a" <= ch.casefold() <= "z" or "\u00c0" <= ch <= "\u024f" for ch in token)


def _as_measure(word: str, measure: set[str]) -> bool:
    """True when a unit of measure is written so, in English or with an English plural "s"."""
    return word in measure or (len(word) > 2 and word.endswith("s") and word[:-1] in measure)


# Quantities a post weighs, measures or counts goods in; not steradians or knots ("SR 1,250"
# is Saudi money).
MEASURE_FAMILIES = ("length-", "mass-", "volume-", "area-")


def _measure_words() -> set[str]:
    """What CLDR's English patterns for units of length, mass, volume and area put beside the
    figure ("km", "ft", "kg", "pounds", "cups"), casefolded."""
    from babel import Locale

    out = set()
    for unit, lengths in Locale.parse("en")._data["unit_patterns"].items():
        if not unit.startswith(MEASURE_FAMILIES):
            continue
        for forms in lengths.values():
            for pattern in (forms.values() if hasattr(forms, "values") else ()):
                if isinstance(pattern, str):
                    word = " ".join(pattern.replace("{0}", " ").split()).casefold()
                    if word:
                        out.add(word)
    return out


_HAMZA_ALEFS = str.maketrans("أإآ", "ااا")


def _without_hamza(token: str) -> str:
    """"د.ا" for "د.أ": Arabic writing often leaves the hamza off an alef."""
    return token.translate(_HAMZA_ALEFS)


def _cyrillic(word: str) -> bool:
    return bool(word) and all("\u0400" <= ch <= "\u04ff" for ch in word)


def cyrillic_abbreviations(words: set[str]) -> set[str]:
    """"руб." for "рубль", "долл." for "доллар": Russian, Ukrainian and Bulgarian shorten a
    word after a consonant and mark the cut with a point. Only with the point (a bare "руб"
    or "дол" shares its letters with other words), at least three letters, at least two cut off."""
    out = set()
    for word in {w.casefold() for w in words if _cyrillic(w) and len(w) >= 5}:
        for k in range(3, len(word) - 1):
            if word[k - 1] not in _CYRILLIC_VOWELS and word[k] not in "ьъ":
                out.add(word[:k] + ".")
    return out


def _english_words() -> tuple[set[str], set[str]]:
    """English nouns, verbs, adjectives and adverbs (WordNet's lemma index as the pinned
    spaCy English model ships it): codes and symbols spelt like one ("TOP", "ALL", "CUP",
    "kr") are only a currency next to a clear amount or a price word. Second, the words and
    inflected forms English also uses as a verb, adjective or adverb ("won", "frank")."""
    import importlib

    from companion.detection.recognizers.registry import SPACY_MODEL_PACKAGE

    nlp = importlib.import_module(SPACY_MODEL_PACKAGE).load(exclude=["parser", "ner"])
    lookups = nlp.get_pipe("lemmatizer").lookups
    index, exceptions = lookups.get_table("lemma_index"), lookups.get_table("lemma_exc")
    not_nouns = {word for pos in ("verb", "adj", "adv") for table in (index, exceptions) if pos in table
                 for word in table[pos]}
    return {word for words in index.values() for word in words}, not_nouns


@lru_cache(maxsize=1)
def currency_tokens() -> dict[str, list[str]]:
    """The shipped table (see the module docstring for how it is made)."""
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def tokens_beyond_cldr() -> tuple[dict, ...]:
    """The hand-kept tokens of `data/currency_beyond_cldr.yaml` (token, kind, currency, example)."""
    import yaml

    entries = yaml.safe_load(BEYOND_CLDR_FILE.read_text(encoding="utf-8"))["tokens"]
    for entry in entries:
        if entry["kind"] not in BEYOND_CLDR_KINDS:
            raise ValueError(f"{BEYOND_CLDR_FILE.name}: unknown kind {entry['kind']!r}")
    return tuple(entries)


def all_currency_tokens() -> dict[str, list[str]]:
    """CLDR's table with the hand-kept tokens added: a `word_like` one is a symbol that needs a
    clear amount, a price word or a line of its own, as CLDR's word-like symbols do."""
    table = {kind: list(tokens) for kind, tokens in currency_tokens().items()}
    for entry in tokens_beyond_cldr():
        kind, token = entry["kind"], entry["token"]
        table["symbol" if kind == "word_like" else kind].append(token)
        if kind == "word_like":
            table["word_like"].append(token)
    return table


def main() -> None:
    from babel import __version__

    table = build_table()
    DATA_FILE.parent.mkdir(exist_ok=True)
    DATA_FILE.write_text(json.dumps(table, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"Babel {__version__}: " + ", ".join(f"{len(v)} {k}s" for k, v in table.items()))


if __name__ == "__main__":
    main()
