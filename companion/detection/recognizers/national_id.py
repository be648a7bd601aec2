"""National ID numbers after their label, checked with python-stdnum's validators.

"SSN 536-90-4399", "DNI 12345678Z", "PESEL 44051401359", "BSN 111222333", "codice
fiscale RCCMNL83S18D969H", "Steuer-ID 36574261809", "NIR 2 95 10 99 126 111 93": each
label names the validators to try (python-stdnum, a well-kept library of number formats
and checksums), and only a number that passes one is reported. A bare digit run is not
enough: nine digits pass some checksum one time in ten, so the label is required.
"""

from __future__ import annotations

from importlib import import_module

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

from companion.detection.linear_regex import LinearPattern

# label (as typed, any case) -> python-stdnum modules that validate what follows it
LABELS = {
    "ssn": ("us.ssn",), "social security number": ("us.ssn",), "social security no": ("us.ssn",),
    "social security": ("us.ssn",),
    "dni": ("es.dni",), "nie": ("es.nie",), "nif": ("es.nif",),
    "pesel": ("pl.pesel",),
    "bsn": ("nl.bsn",), "burgerservicenummer": ("nl.bsn",),
    "codice fiscale": ("it.codicefiscale",),
    "steuer-id": ("de.idnr",), "steuerid": ("de.idnr",), "steuer-identifikationsnummer": ("de.idnr",),
    "idnr": ("de.idnr",),
    "nir": ("fr.nir",), "numéro de sécurité sociale": ("fr.nir",), "sécurité sociale": ("fr.nir",),
    "national id": ("us.ssn", "es.dni", "pl.pesel", "nl.bsn", "it.codicefiscale", "de.idnr", "fr.nir"),
    "id number": ("us.ssn", "es.dni", "pl.pesel", "nl.bsn", "it.codicefiscale", "de.idnr", "fr.nir"),
    "id no": ("us.ssn", "es.dni", "pl.pesel", "nl.bsn", "it.codicefiscale", "de.idnr", "fr.nir"),
}
_PATTERN = LinearPattern(
    r"(?i:" + "|".join(sorted((label.replace(" ", r"[ \t]+").replace("-", r"[- ]?") for label in LABELS),
                              key=len, reverse=True))
    + r")\.?[ \t]*(?i:no\.?|nr\.?|number|#)?[ \t]*[:：]?[ \t]*(?i:is[ \t]+)?(?P<value>[A-Za-z0-9][A-Za-z0-9 .\-/]{5,22}[A-Za-z0-9])",
    not_before=r"\pL", max_matches=30)
_VALUE = _PATTERN.groupindex["value"]


class NationalIdRecognizer(EntityRecognizer):
    """A national ID label followed by a number one of its validators accepts."""

    SCORE = 0.85

    def __init__(self):
        super().__init__(supported_entities=["NATIONAL_ID"], supported_language="en",
                         name="NationalIdRecognizer")

    def load(self) -> None:
        self._validators = {label: [import_module(f"stdnum.{m}") for m in modules]
                            for label, modules in LABELS.items()}

    def analyze(self, text, entities, nlp_artifacts=None):
        results = []
        for m in _PATTERN.finditer(text):
            label = " ".join(text[m.start():m.start(_VALUE)].split()).casefold()
            validators = next((v for key, v in self._validators.items() if label.startswith(key)), None)
            span = self._valid_span(text, m.start(_VALUE), m.end(_VALUE), validators or [])
            if span:
                results.append(RecognizerResult(
                    "NATIONAL_ID", span[0], span[1], self.SCORE,
                    analysis_explanation=AnalysisExplanation(self.name, self.SCORE),
                    recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                          RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}))
        return results

    @staticmethod
    def _valid_span(text: str, start: int, end: int, validators: list) -> tuple[int, int] | None:
        """The longest prefix of the value (cut at spaces) that a validator accepts."""
        value = text[start:end]
        cuts = ([len(value)] + [i for i in range(len(value) - 1, 5, -1) if value[i] == " "])[:4]
        for cut in cuts:
            candidate = value[:cut].rstrip(" .-/")
            if any(v.is_valid(candidate) or v.is_valid(candidate.replace(" ", "")) for v in validators):
                return start, start + len(candidate)
        return None
