"""Phone numbers in international and national formats, checked with libphonenumber.

Presidio's PhoneRecognizer runs libphonenumber's matcher once per region over the whole
text, which costs hundreds of milliseconds on a long post. Here a cheap pattern finds
phone-shaped runs first and only those are parsed: with a leading "+" as written,
otherwise against a short list of regions our salespeople deal with. A national-format
number is less certain (order numbers look alike), so it scores low and needs a
context word ("tel", "call me", "WhatsApp") to be reported.
"""

from __future__ import annotations

import re

import phonenumbers
from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

_CANDIDATE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d\s().\-/]{6,18}\d(?![\w])")
NATIONAL_REGIONS = ("US", "GB", "DE", "FR", "IT", "PL", "SE", "AE", "AU", "IN")


class PhoneNumberRecognizer(EntityRecognizer):
    """International numbers score 0.75; national ones 0.4 before context."""

    CONTEXT = ["phone", "tel", "telephone", "mobile", "cell", "call", "whatsapp", "wechat", "fax",
               "contact", "reach", "电话", "手机", "联系"]

    def __init__(self):
        super().__init__(supported_entities=["PHONE_NUMBER"], supported_language="en",
                         context=self.CONTEXT, name="PhoneNumberRecognizer")

    def load(self) -> None:
        """Nothing to load: libphonenumber's metadata ships with the package."""

    def analyze(self, text, entities, nlp_artifacts=None):
        results = []
        for match in _CANDIDATE.finditer(text):
            raw = match.group().strip()
            score = self._score(raw)
            if score:
                explanation = AnalysisExplanation(self.name, score, textual_explanation=None)
                results.append(RecognizerResult("PHONE_NUMBER", match.start(), match.end(), score,
                                                analysis_explanation=explanation,
                                                recognition_metadata={
                                                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}))
        return results

    @staticmethod
    def _score(raw: str) -> float:
        if raw.startswith("00"):
            raw = "+" + raw[2:]
        regions = (None,) if raw.startswith("+") else NATIONAL_REGIONS
        for region in regions:
            try:
                number = phonenumbers.parse(raw, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return 0.75 if region is None else 0.4
        return 0.0
