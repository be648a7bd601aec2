"""Whether a post's own words reached something that must not hold them (an export, a mail, an answer).

The values the tests look for are short ("0.42", "1.15", "73.19"), and what they search carries
figures that change on every run: every export and alert has timestamps with microseconds
("…T18:41:01.152733Z" holds "1.15" by chance about once in a thousand timestamps), and every
check's answer says how long it took in hundredths of a millisecond ("timings_ms": {"text":
173.19} holds "73.19" about once in ten thousand). Those figures are taken out before the
search, so a hit is a real leak and a run never fails on the clock.
"""

from __future__ import annotations

import re

TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
# A check's answer: {"timings_ms": {"text": 101.06, "total": 101.06}} — numbers under fixed names only.
TIMINGS = re.compile(r'"timings_ms":\s*\{[^{}]*\}')


def without_clock(blob: str | bytes) -> str:
    """The blob as text, with its timestamps and an answer's timings taken out."""
    text = blob.decode("utf-8", "replace") if isinstance(blob, bytes) else blob
    return TIMINGS.sub('"timings_ms": <timings>', TIMESTAMP.sub("<time>", text))


def leaked(values, blob: str | bytes) -> list[str]:
    """The values found in the blob once its timestamps and timings are taken out."""
    text = without_clock(blob)
    return [value for value in values if value in text]
