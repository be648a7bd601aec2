"""Street addresses: "12 Harbour Road", "Elbchaussee 145", "15 Avenue Charles Floquet",
"Via Pisacane 13", "Calle Mayor 5", "ul. Marszałkowska 10", "Herengracht 573, 1017 CD
Amsterdam", "上海市浦东新区陆家嘴西路99号".

A street address in a post is someone's home or a client's site. Each pattern wants a
house number next to a street word in the way that country writes it (number first in
the UK, the US and France; after the street in Germany, the Netherlands, Italy, Spain and
Poland; 省/市/区 ... 路/街 ... 号 in China), or a "street number, postcode city" line.
The street words are data (OpenCage's address-formatting abbreviations list the same
types). Patterns are case-sensitive where case carries meaning: a street name is
capitalised, which keeps "3 big orders way" out. All patterns run on RE2.
"""

from __future__ import annotations

from companion.detection.recognizers.linear_base import LinearPatternRecognizer

EN_TYPES = ("Street", "St", "Road", "Rd", "Avenue", "Ave", "Boulevard", "Blvd", "Lane", "Ln", "Drive", "Dr",
            "Way", "Court", "Ct", "Place", "Pl", "Terrace", "Crescent", "Highway", "Hwy", "Parkway", "Pkwy",
            "Square", "Sq", "Close", "Gardens", "Row", "Walk", "Mews", "Grove", "Circle", "Trail")
DE_SUFFIXES = ("straße", "strasse", "str.", "weg", "allee", "gasse", "platz", "chaussee", "ring", "damm",
               "ufer", "steig", "pfad", "markt")
DE_WORDS = ("Straße", "Strasse", "Str.", "Weg", "Allee", "Gasse", "Platz", "Ring", "Damm", "Ufer")
NL_SUFFIXES = ("straat", "weg", "laan", "gracht", "plein", "kade", "singel", "dijk", "steeg", "markt")
FR_TYPES = ("rue", "avenue", "av.", "boulevard", "bd", "place", "chemin", "allée", "impasse", "quai",
            "route", "cours", "square")
IT_TYPES = ("via", "viale", "piazza", "piazzale", "corso", "largo", "vicolo", "strada")
ES_TYPES = ("calle", "c/", "avenida", "avda.", "paseo", "plaza", "carrera", "camino", "ronda", "travesía")
PL_TYPES = ("ul.", "ulica", "al.", "aleja", "pl.", "plac", "os.")


def _alt(words: tuple[str, ...]) -> str:
    return "(?:" + "|".join(w.replace(".", r"\.").replace("/", r"\/") for w in words) + ")"


_NAME = r"\p{Lu}[\pL'’.\-]*"
_WORDS = r"(?:[\pL'’.\-]+[ \t]+){0,3}?[\pL'’.\-]+"
_HOUSE = r"\d{1,4}[a-zA-Z]?(?:[/-]\d{1,4})?"
_POSTCODE = r"(?:\d{2}-\d{3}|\d{4}[ \t]?[A-Z]{2}|\d{4,5}|[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2})"


class StreetAddressRecognizer(LinearPatternRecognizer):
    """House number + street in the forms of DE/UK/NL/FR/IT/ES/PL/US/CN addresses."""

    ENTITY = "STREET_ADDRESS"
    PATTERNS = [
        ("street_en", r"\d{1,5}[A-Za-z]?[ \t]+(?:" + _NAME + r"[ \t]+){1,3}" + _alt(EN_TYPES) + r"\.?",
         0.6, r"\w.,", r"\w"),
        ("street_de", r"\p{Lu}[\pL\-]*(?i:" + _alt(DE_SUFFIXES)[3:] + r"[ \t]+" + _HOUSE, 0.6, r"\w", r"\w"),
        ("street_de_words", _NAME + r"[ \t]+" + _alt(DE_WORDS) + r"[ \t]+" + _HOUSE, 0.6, r"\w", r"\w"),
        ("street_nl", r"\p{Lu}[\pL\-]*" + _alt(NL_SUFFIXES) + r"[ \t]+" + _HOUSE, 0.6, r"\w", r"\w"),
        ("street_fr", r"\d{1,4}(?:[ \t]?(?:bis|ter))?,?[ \t]+(?i:" + _alt(FR_TYPES)[3:] + r"[ \t]+"
         + r"(?:[\pL'’\-]+[ \t]+){0,3}[\pL'’\-]+",
         0.6, r"\w.,", None),
        ("street_it", r"(?i:" + _alt(IT_TYPES)[3:] + r"[ \t]+" + _WORDS + r",?[ \t]+" + _HOUSE, 0.6, r"\w", r"\w"),
        ("street_es", r"(?i:" + _alt(ES_TYPES)[3:] + r"[ \t]*" + _WORDS + r",?[ \t]+(?:(?i:n[º°o]\.?)[ \t]*)?"
         + _HOUSE, 0.6, r"\w", r"\w"),
        ("street_pl", r"(?i:" + _alt(PL_TYPES)[3:] + r"[ \t]*" + _WORDS + r"[ \t]+" + _HOUSE, 0.6, r"\w", r"\w"),
        ("street_postcode", _NAME + r"(?:[ \t]+" + _NAME + r"){0,3}[ \t]+" + _HOUSE + r",[ \t]*" + _POSTCODE
         + r"[ \t]+\p{Lu}", 0.6, r"\w", None),
        ("street_zh", r"[\x{4e00}-\x{9fff}]{2,12}(?:路|街|大道|巷|道|弄)[ \t]?\d{1,5}号", 0.7, None, None),
        ("street_zh_en", _NAME + r"(?:[ \t]+" + _NAME + r"){0,3}[ \t]+(?:Road|Street|Avenue|Lu|Jie)[ \t]+\d{1,5}号",
         0.7, r"\w", None),
    ]
    CONTEXT = ["address", "live", "home", "deliver", "ship to", "地址", "住", "家"]
