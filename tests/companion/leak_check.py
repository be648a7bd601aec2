"""Whether a post's own words reached something that must not hold them (an export, a mail).

The values the tests look for are short ("0.42", "1.15"), and every export and alert carries
timestamps with microseconds: "…T18:41:01.152733Z" holds "1.15" by chance about once in a
thousand timestamps. The timestamps are taken out before the search, so a hit is a real leak
and a run never fails on the clock.
"""

from __future__ import annotations

import re

TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")


def leaked(values, blob: str | bytes) -> list[str]:
    """The values found in the blob once its timestamps are taken out."""
    text = blob.decode("utf-8", "replace") if isinstance(blob, bytes) else blob
    text = TIMESTAMP.sub("<time>", text)
    return [value for value in values if value in text]
