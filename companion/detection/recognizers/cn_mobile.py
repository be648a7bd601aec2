"""Chinese mobile numbers written the way people type them: 138 1234 5678, 13812345678.

Presidio's phone recognizer needs a region and a plausible layout; salespeople write
mainland mobiles without +86 and in 3-4-4 groups, so this pattern catches those.
"""

from __future__ import annotations

from companion.detection.recognizers.linear_base import LinearPatternRecognizer


class ChineseMobileRecognizer(LinearPatternRecognizer):
    """11-digit mainland mobile numbers starting 13-19, optionally with +86."""

    BOOST_BY_CONTEXT = True  # runs over the whole post, not in Presidio's windows
    MAX_MATCHES = 20_000
    ENTITY = "CN_MOBILE"
    PATTERNS = [
        ("cn_mobile", r"(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}", 0.7, r"\d", r"\d"),
    ]
    CONTEXT = ["mobile", "phone", "tel", "wechat", "call", "手机", "电话", "微信", "联系"]
