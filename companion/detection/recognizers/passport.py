"""Passport numbers given with their label: "Passport No. E12345678", "护照号 E12345678".

Passport numbers have no checksum we can verify across countries, so only a number
right after a passport label counts.
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, PatternRecognizer


class PassportRecognizer(PatternRecognizer):
    """A passport label followed by one or two capitals and 6-9 digits."""

    PATTERNS = [
        Pattern("passport", r"(?i:passport|护照)\s*(?i:no\.?|number|#|号码?)?\s*[:：]?\s*[A-Z]{1,2}\d{6,9}\b", 0.8),
    ]

    def __init__(self):
        super().__init__(supported_entity="PASSPORT", patterns=self.PATTERNS, supported_language="en",
                         global_regex_flags=re.DOTALL | re.MULTILINE)
