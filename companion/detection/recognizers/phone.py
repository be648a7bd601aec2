"""Phone numbers in international and national formats, checked with libphonenumber.

Presidio's PhoneRecognizer runs libphonenumber's matcher once per region over the whole
text, which costs hundreds of milliseconds on a long post. Here an RE2 pattern finds
phone-shaped runs first (linear time) and only those are parsed:

- with a `+` or `00` prefix, as written: a valid number scores 0.75;
- otherwise against the regions the post names (a country name in any of our languages
  nearby, from Babel's CLDR territory names), then the org's markets, then a default
  list of common markets.
  A valid national number written the way people group phone digits ("020 7946 0958",
  "06 12 34 56 78", "(201) 555-0123") scores 0.6; a bare run of digits scores 0.4 and
  needs a phone word nearby, since order numbers look alike.

What is never a phone: a run right after a document, product or stand label (order,
PO, invoice, HS code, model, booth ...), a date, or an ISO 6346 container number with a
valid check digit.

It runs once over the whole post (`registry.whole_text_recognizers()`), not in Presidio's
spaCy windows, and applies Presidio's context rule itself (`context_words.py`): a phone
word among the five words before a number adds 0.35. Every number in the post is read,
however many there are; `analyze` stops between numbers when the check's deadline passes.
"""

from __future__ import annotations

import re
import time
from functools import lru_cache

import phonenumbers
from presidio_analyzer import EntityRecognizer, RecognizerResult

from companion.detection.deadline import Deadline
from companion.detection.linear_regex import LinearPattern
from companion.detection.recognizers.context_words import boosted
from companion.detection.recognizers.not_a_phone import is_not_a_phone
from companion.detection.recognizers.phone_parse import Unreadable, country_code_and_nsn
from companion.detection.recognizers.phone_validity import is_valid, prepare, type_descs
from companion.detection.recognizers import region_names
from companion.detection.recognizers.region_names import regions_named_near

# A maximal run of phone characters holding six digits or more (fewer are never a phone,
# and RE2 skips them without a round trip through Python): a 100,000-digit post is one run,
# not thousands of overlapping tries. Runs longer than MAX_LEN are cut at "/", ",", ";" or
# double spaces ("Tel 020 7946 0958 / 0959 1234"); what is still too long is no phone.
# The run must not be glued to a word, a "#" or a number before it ("No.1234567", "u123456@")
# or to a word or an "@" after it (the digits before an "@" are an e-mail address, found as
# one); words are RE2's ASCII `\w`, tested here on the one character around the run
# without a second call into RE2 per run.
_RUN = LinearPattern(r"\+?\(?\d(?:[ \t().\-/]*\d){5,}", max_matches=50_000)
_ASCII_WORD = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NOT_BEFORE = _ASCII_WORD | frozenset("+#.,/-")
_NOT_AFTER = _ASCII_WORD | frozenset("@")
_CUT = re.compile(r"\s*/\s*|\s{2,}|\t")
MAX_LEN = 24
# How many numbers are read between two looks at the check's deadline.
_DEADLINE_STRIDE = 32
_GROUPED = re.compile(r"\d[ .\-/()]+\d")
# Markets most exporters deal with: national numbers of these regions are recognised
# without a country name nearby, after the org's own markets (`markets.txt` and the
# countries of its own and its clients' phone numbers). The first region where a number
# is valid wins.
NATIONAL_REGIONS = ("CN", "GB", "DE", "FR", "IT", "ES", "NL", "PL", "SE", "US", "AE", "SA", "IN",
                    "MY", "BR", "AU", "JP")


class PhoneNumberRecognizer(EntityRecognizer):
    """International numbers score 0.75; grouped national ones 0.6; bare digit runs 0.4."""

    CONTEXT = ["phone", "tel", "telephone", "mobile", "cell", "call", "whatsapp", "wechat", "fax",
               "contact", "reach", "text me", "电话", "手机", "联系", "微信"]

    def __init__(self, regions: tuple[str, ...] = NATIONAL_REGIONS):
        self.regions = tuple(regions)
        self.org_regions: tuple[str, ...] = ()
        self._usual: tuple | None = None
        super().__init__(supported_entities=["PHONE_NUMBER"], supported_language="en",
                         context=self.CONTEXT, name="PhoneNumberRecognizer")

    def load(self) -> None:
        """Build the default regions' number patterns now (libphonenumber's metadata ships
        with it); the country names and the other regions come in `warm_up`."""
        prepare(self.regions)
        for region in self.regions:
            _national_test(region)

    def warm_up(self) -> None:
        """Build the tests of every country code and region now, after start-up, instead of at
        the first number of each (a few milliseconds apiece: a post of numbers from 200
        countries cost 400 ms more the first time; all of them take 0.5 s and 3 MB once), and
        the index of country names, which the first number with words around it built.

        It runs beside the first checks after a start, and holds the GIL while it compiles: it
        pauses between small batches so that a check that comes in meanwhile is answered
        first (without the pauses the first check after start waited 0.2-0.4 s for it). The
        country names come last: reading Babel's data holds the GIL for a fifth of a second
        in one piece, by when the checks that came with the start are answered."""
        for code in range(1, 1000):  # every one to three digits a country code may be read from
            _international_test(str(code))
            _pause_every(code, 25)
        regions = sorted(phonenumbers.SUPPORTED_REGIONS)
        for index, region in enumerate(regions):
            prepare((region,))
            _national_test(region)
            _pause_every(index, 10)
        region_names.prepare()

    def analyze(self, text, entities, nlp_artifacts=None, deadline: Deadline | None = None):
        """Every phone number in `text`, until `deadline` (if any) passes."""
        return list(self.iter_analyze(text, deadline))

    def iter_analyze(self, text: str, deadline: Deadline | None = None) -> "PhoneReading":
        """The phone numbers of `text` one by one, read as they are asked for (the engine
        stops asking at its cap, `finding_cap.py`), until `deadline` (if any) passes."""
        return PhoneReading(self, text, deadline)

    def _read(self, text: str, spans: list[tuple[int, int]], deadline: Deadline | None):
        for index, (start, end) in enumerate(spans):
            if deadline is not None and index % _DEADLINE_STRIDE == 0 and deadline.expired():
                break
            if is_not_a_phone(text, start, end):
                continue
            score = self._score(text, start, end)
            if score:
                score = boosted(text, start, score, self.CONTEXT)
                yield RecognizerResult("PHONE_NUMBER", start, end, score)

    def _score(self, text: str, start: int, end: int) -> float:
        raw = text[start:end]
        if raw.startswith("00"):
            raw = "+" + raw[2:]
        if raw.startswith("+"):
            return 0.75 if _valid(raw, None) else 0.0
        named = regions_named_near(text, start, end)
        digits = "".join(filter(str.isdigit, raw))
        tried = dict.fromkeys(named + list(self._usual_regions())) if named else self._usual_regions()
        for region in tried:
            if _could_be_valid_in(digits, region) and _parsed_valid(raw, region):
                return 0.6 if _GROUPED.search(raw) or region in named else 0.4
        return 0.0


    def _usual_regions(self) -> tuple[str, ...]:
        """The org's markets, then the default list, without repeats (the regions tried when
        the post names no country near a number; kept until the markets change)."""
        key = (self.org_regions, self.regions)
        if self._usual is None or self._usual[0] != key:
            self._usual = (key, tuple(dict.fromkeys(self.org_regions + self.regions)))
        return self._usual[1]


class PhoneReading:
    """One post's phone numbers, read as they are iterated; `unread_after` names the
    phone-shaped runs from an offset on (those a capped check stopped before reading)."""

    def __init__(self, recognizer: PhoneNumberRecognizer, text: str, deadline: Deadline | None):
        self._recognizer, self._text, self._deadline = recognizer, text, deadline
        self._spans = candidates(text)

    def __iter__(self):
        return self._recognizer._read(self._text, self._spans, self._deadline)

    def unread_after(self, end: int) -> list[tuple[int, int]]:
        return [(s, e) for s, e in self._spans if s >= end]


def _pause_every(index: int, batch: int) -> None:
    """Let other threads (a salesperson's check) run between batches of warm-up work."""
    if index % batch == 0:
        time.sleep(0.005)


def candidates(text: str) -> list[tuple[int, int]]:
    """Phone-shaped `[start, end)` spans, in order."""
    spans = []
    for match in _RUN.finditer(text):
        start, end = match.span()
        if (start > 0 and text[start - 1] in _NOT_BEFORE) or (end < len(text) and text[end] in _NOT_AFTER):
            continue
        pieces = [(start, end)] if end - start <= MAX_LEN else _cut(text, start, end)
        for s, e in pieces:
            if text[s] == "(" and ")" not in text[s:e]:
                s += 1
            digits = sum(map(str.isdigit, text[s:e]))
            if 6 <= digits <= 15 and e - s <= MAX_LEN:
                spans.append((s, e))
    return spans


def _cut(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces, cursor = [], start
    for sep in _CUT.finditer(text, start, min(end, start + 400)):
        pieces.append((cursor, sep.start()))
        cursor = sep.end()
    if end - start <= 400:
        pieces.append((cursor, end))
    return [(s, e) for s, e in pieces if e > s and text[s:e].strip()]


def _valid(raw: str, region: str | None) -> bool:
    """libphonenumber's verdict on `raw` as written in `region` (None: with its "+")."""
    digits = "".join(filter(str.isdigit, raw))
    if not (_could_be_valid_in(digits, region) if region is not None else _could_be_international(digits)):
        return False
    return _parsed_valid(raw, region)


def _could_be_international(digits: str) -> bool:
    """False only when `+digits` cannot be a valid number: libphonenumber takes the country
    code as the shortest of the first one to three digits that is one, and the rest, with or
    without a national prefix ("+44 (0)20 ..."), must fit one of that code's number types."""
    for length in range(1, 4):
        test = _international_test(digits[:length]) if digits[:1] != "0" else None
        if test is not None:
            return test is True or bool(test.fullmatch(digits[length:]))
    return False


@lru_cache(maxsize=None)
def _international_test(code: str):
    """None when `code` is no country code; True to always parse (its main region rewrites
    the national part); else the pattern of the national part after it."""
    country_code = int(code)
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not regions:
        return None
    # The national prefix is stripped by the rules of the code's main region (GB for +44).
    main = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(country_code, regions[0])
    types = _type_patterns(country_code)
    if main is None or main.national_prefix_transform_rule or not types:
        return True
    strip = main.national_prefix_for_parsing or main.national_prefix
    prefix = f"(?:{strip})?" if strip else ""
    return re.compile(_typed(prefix, types))


@lru_cache(maxsize=4096)
def _parsed_valid(raw: str, region: str | None) -> bool:
    """libphonenumber's parse and validity (cached: a post repeats its numbers, and is checked
    again as the salesperson types)."""
    try:
        return is_valid(*country_code_and_nsn(raw, region))
    except Unreadable:
        return False


def _could_be_valid_in(digits: str, region: str) -> bool:
    """False only when a number of these `digits` cannot be a valid national number of
    `region`, by a test that costs a microsecond instead of libphonenumber's parse (tens of
    them, once per region for a number valid nowhere).

    libphonenumber accepts a number only when its national part matches the region's
    general pattern and the pattern of one of its number types (fixed line, mobile, toll
    free ...; of any region that shares the country code, as +44 is GB's, Jersey's and
    Guernsey's), and that part is the digits, with or without the national prefix (`0`, or
    a carrier code) stripped, or, written without the `+`, after the country code: the
    same tests as two regular expressions. Numbers that start with the region's
    international prefix, and regions that rewrite the national part (Brazil, Japan), are
    always parsed.
    """
    test = _national_test(region)
    if test is None:
        return True
    idd, national, typed = test
    if idd is not None and idd.match(digits):
        return True
    return bool(national.fullmatch(digits) and typed.fullmatch(digits))


@lru_cache(maxsize=None)
def _national_test(region: str):
    """(international prefix, national number, typed national number) patterns of a region,
    or None to always parse."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if meta is None or meta.national_prefix_transform_rule or meta.general_desc is None:
        return None
    general = meta.general_desc.national_number_pattern
    types = _type_patterns(meta.country_code)
    if not general or not types:
        return None
    strip = meta.national_prefix_for_parsing or meta.national_prefix
    prefix = f"(?:{strip})?" if strip else ""
    national = f"{prefix}(?:{general})"
    # Written without "+", a number may carry the country code and the national prefix
    # before its national part, and libphonenumber strips the prefix once for each.
    typed = f"(?:{meta.country_code})?{_typed(prefix, types)}"
    idd = re.compile(meta.international_prefix) if meta.international_prefix else None
    return idd, re.compile(national), re.compile(typed)


def _typed(prefix: str, types: list[str]) -> str:
    """A national part in any of `types`, after the national prefix (`prefix`, optional), which
    libphonenumber may strip twice."""
    return f"{prefix}{prefix}(?:{'|'.join(f'(?:{t})' for t in types)})"


def _type_patterns(country_code: int) -> list[str]:
    """Every number type's pattern of every region that shares `country_code`."""
    patterns = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code, ()):
        meta = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
        if meta is None:
            continue
        for desc in type_descs(meta):
            if desc.national_number_pattern not in patterns:
                patterns.append(desc.national_number_pattern)
    return patterns
