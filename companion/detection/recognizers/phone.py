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
"""

from __future__ import annotations

import re

import phonenumbers
from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

from companion.detection.linear_regex import LinearPattern
from companion.detection.recognizers.not_a_phone import is_not_a_phone
from companion.detection.recognizers.region_names import regions_named_near

# A maximal run of phone characters: a 100,000-digit post is one run, not thousands of
# overlapping tries. Runs longer than MAX_LEN are cut at "/", ",", ";" or double spaces
# ("Tel 020 7946 0958 / 0959 1234"); what is still too long is no phone.
_RUN = LinearPattern(r"\+?\(?\d[\d \t().\-/]*\d", not_before=r"\w+#.,/\-", not_after=r"\w",
                     max_matches=2_000)
_CUT = re.compile(r"\s*/\s*|\s{2,}|\t")
MAX_LEN = 24
MAX_CANDIDATES = 20
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
        super().__init__(supported_entities=["PHONE_NUMBER"], supported_language="en",
                         context=self.CONTEXT, name="PhoneNumberRecognizer")

    def load(self) -> None:
        """Build the country-name index now (libphonenumber's metadata ships with it)."""
        regions_named_near("", 0, 0)

    def analyze(self, text, entities, nlp_artifacts=None):
        results = []
        for start, end in candidates(text):
            if is_not_a_phone(text, start, end):
                continue
            score = self._score(text, start, end)
            if score:
                results.append(RecognizerResult(
                    "PHONE_NUMBER", start, end, score,
                    analysis_explanation=AnalysisExplanation(self.name, score, textual_explanation=None),
                    recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                          RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}))
        return results

    def _score(self, text: str, start: int, end: int) -> float:
        raw = text[start:end]
        if raw.startswith("00"):
            raw = "+" + raw[2:]
        if raw.startswith("+"):
            return 0.75 if _valid(raw, None) else 0.0
        named = regions_named_near(text, start, end)
        for region in dict.fromkeys(named + list(self.org_regions) + list(self.regions)):
            if _valid(raw, region):
                return 0.6 if _GROUPED.search(raw) or region in named else 0.4
        return 0.0


def phone_regions(numbers: list[str]) -> list[str]:
    """The regions of the international numbers in a list (the org's and its clients')."""
    regions = []
    for raw in numbers:
        try:
            number = phonenumbers.parse(raw.strip(), None)
        except phonenumbers.NumberParseException:
            continue
        region = phonenumbers.region_code_for_number(number)
        if region and region not in regions:
            regions.append(region)
    return regions


def candidates(text: str) -> list[tuple[int, int]]:
    """Phone-shaped `[start, end)` spans, at most MAX_CANDIDATES of them."""
    spans = []
    for match in _RUN.finditer(text):
        start, end = match.span()
        pieces = [(start, end)] if end - start <= MAX_LEN else _cut(text, start, end)
        for s, e in pieces:
            if text[s] == "(" and ")" not in text[s:e]:
                s += 1
            digits = sum(ch.isdigit() for ch in text[s:e])
            if 6 <= digits <= 15 and e - s <= MAX_LEN:
                spans.append((s, e))
                if len(spans) >= MAX_CANDIDATES:
                    return spans
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
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(raw, region))
    except phonenumbers.NumberParseException:
        return False
