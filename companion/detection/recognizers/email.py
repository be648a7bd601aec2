"""E-mail addresses, found once over the whole post and checked against the public suffixes.

One RE2 pattern anchored on the "@" finds every address in time linear in the post; the
domain must end in a public suffix from the list bundled with tldextract and have a name
before it ("x.com", not "a.b" or "co.uk"). Presidio's own EmailRecognizer calls
`tldextract.extract`, whose default extractor downloads the suffix list on first use; the
laptop never fetches anything at run time, so this one uses an extractor with no download
URLs. It needs no spaCy, so a post dense with addresses is not cut into Presidio windows.
"""

from __future__ import annotations

from functools import lru_cache

import tldextract
from presidio_analyzer import EntityRecognizer, RecognizerResult

from companion.detection.linear_regex import LinearPattern

_OFFLINE_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
_WORD = r"\p{L}\p{M}\p{N}_"
# The local part is at most 64 characters (RFC 5321): a longer run keeps its last 64, as the
# leftmost match of `{1,64}@` would. The cut is made here, not in the pattern: RE2's automaton
# for a counted run of a Unicode class is large enough to fall back to its slow simulation
# (125 ms instead of 5 on 100,000 random signs).
_ADDRESS = LinearPattern(rf"[{_WORD}.!#$%&'*+/=?^`{{|}}~-]+@[{_WORD}-]+(?:\.[{_WORD}-]+)+",
                         max_matches=20_000)
MAX_LOCAL_PART = 64
# A pattern match whose domain checks out is sure, as Presidio scores a validated match.
SCORE = 1.0


@lru_cache(maxsize=4096)
def domain_has_public_suffix(domain: str) -> bool:
    """True when `domain` is a name under a public suffix (cached: posts repeat domains)."""
    return _OFFLINE_EXTRACT(domain).fqdn != ""


class EmailAddressRecognizer(EntityRecognizer):
    """Addresses whose domain ends in a public suffix score 1.0."""

    CONTEXT = ["email"]

    def __init__(self):
        super().__init__(supported_entities=["EMAIL_ADDRESS"], supported_language="en",
                         context=self.CONTEXT, name="EmailAddressRecognizer")

    def load(self) -> None:
        """The suffix list is read on first use; read it now, at start-up."""
        domain_has_public_suffix("example.com")

    def analyze(self, text, entities, nlp_artifacts=None):
        """Every address in `text` with a real domain, in order."""
        results = []
        for m in _ADDRESS.finditer(text):
            start, end = m.span()
            at = text.index("@", start, end)
            if domain_has_public_suffix(text[at + 1:end].lower()):
                results.append(RecognizerResult("EMAIL_ADDRESS", max(start, at - MAX_LOCAL_PART), end, SCORE))
        return results
