"""Chinese resident identity card numbers (18 characters, ISO 7064 MOD 11-2 checksum).

The checksum keeps order numbers and other 18-digit strings from being flagged.
"""

from __future__ import annotations

from companion.detection.recognizers.linear_base import LinearPatternRecognizer

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def resident_id_checksum_ok(number: str) -> bool:
    """True when the 18th character is the MOD 11-2 check of the first 17 digits."""
    number = number.upper()
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS))
    return _CHECK[total % 11] == number[17]


class ChineseResidentIdRecognizer(LinearPatternRecognizer):
    """Region code, birth date 19xx/20xx, sequence and check character."""

    BOOST_BY_CONTEXT = True  # runs over the whole post, not in Presidio's windows
    MAX_MATCHES = 20_000
    ENTITY = "CN_RESIDENT_ID"
    PATTERNS = [
        ("cn_resident_id", r"[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])"
         r"(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]", 0.6, r"\dA-Za-z", r"\dA-Za-z"),
    ]
    CONTEXT = ["id", "identity", "身份证", "证件"]

    def validate_result(self, pattern_text: str) -> bool:
        return resident_id_checksum_ok(pattern_text)
