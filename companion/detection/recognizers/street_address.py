"""Street addresses: "12 Harbour Road", "Elbchaussee 145", "中山路88号".

A street address in a post is someone's home or a client's site; the patterns want a
house number next to a street word, which company slogans rarely have.
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, PatternRecognizer

_EN_STREET = (r"(?:Street|St\.|Road|Rd\.|Avenue|Ave\.?|Boulevard|Blvd\.?|Lane|Ln\.|Drive|Dr\.|"
              r"Way|Court|Ct\.|Place|Pl\.|Terrace|Crescent|Highway)")
_DE_STREET = r"[A-ZÄÖÜ][a-zäöüß]+(?:straße|strasse|str\.|weg|allee|gasse|platz|chaussee|ring|damm)"


class StreetAddressRecognizer(PatternRecognizer):
    """House number + street in English, German and Chinese forms."""

    PATTERNS = [
        Pattern("street_en", r"\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][a-z]+\s+){1,3}" + _EN_STREET + r"(?=\W|$)", 0.6),
        Pattern("street_de", r"\b" + _DE_STREET + r"\s+\d{1,4}[a-z]?\b", 0.6),
        Pattern("street_zh", r"[\u4e00-\u9fff]{2,8}(?:路|街|大道|巷)\d{1,5}号", 0.7),
    ]
    CONTEXT = ["address", "live", "home", "deliver", "ship to", "地址", "住", "家"]

    def __init__(self):
        # Case-sensitive: a street name is capitalised, which keeps "3 big orders way" out.
        super().__init__(supported_entity="STREET_ADDRESS", patterns=self.PATTERNS,
                         context=self.CONTEXT, supported_language="en",
                         global_regex_flags=re.DOTALL | re.MULTILINE)
