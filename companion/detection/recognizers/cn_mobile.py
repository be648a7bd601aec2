"""Chinese mobile numbers written the way people type them: 138 1234 5678, 13812345678.

Presidio's phone recognizer needs a region and a plausible layout; salespeople write
mainland mobiles without +86 and in 3-4-4 groups, so this pattern catches those.
"""

from __future__ import annotations

from presidio_analyzer import Pattern, PatternRecognizer


class ChineseMobileRecognizer(PatternRecognizer):
    """11-digit mainland mobile numbers starting 13-19, optionally with +86."""

    PATTERNS = [
        Pattern("cn_mobile", r"(?<![\d])(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)", 0.7),
    ]
    CONTEXT = ["mobile", "phone", "tel", "wechat", "call", "手机", "电话", "微信", "联系"]

    def __init__(self):
        super().__init__(supported_entity="CN_MOBILE", patterns=self.PATTERNS,
                         context=self.CONTEXT, supported_language="en")
