"""E-mail addresses, found once over the whole post and checked against the public suffixes.

One RE2 pattern anchored on the "@" finds every address in time linear in the post; the
domain must end in a public suffix from the list bundled with tldextract and have a name
before it ("x.com", not "a.b" or "co.uk"). Presidio's own EmailRecognizer calls
`tldextract.extract`, whose default extractor downloads the suffix list on first use; the
laptop never fetches anything at run time, so this one uses an extractor with no download
URLs. It needs no spaCy, so a post dense with addresses is not cut into Presidio windows.
"""

from __future__ import annotations

import re
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


_PLAIN_DOMAIN = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+")


@lru_cache(maxsize=4096)
def domain_has_public_suffix(domain: str) -> bool:
    """True when `domain` is a name under a public suffix (cached: posts repeat domains).

    A plain domain (ASCII letters, digits, hyphens, dots) goes straight to the extractor's own
    suffix lookup, as `TLDExtract` would after parsing it as a URL, which for such a string finds
    nothing to strip (a list of 4,000 addresses whose every domain is new spent most of its time in
    that parsing); anything else takes the whole way. `tests/companion/test_email_domains.py` holds
    the two to the same answer."""
    if not _PLAIN_DOMAIN.fullmatch(domain):
        return _OFFLINE_EXTRACT(domain).fqdn != ""
    labels = domain.split(".")
    private = _OFFLINE_EXTRACT.include_psl_private_domains
    found = _suffix_lookup().suffix_index(labels, include_psl_private_domains=private)
    if not found:
        return False  # no public suffix, or an IPv4 address: no name under a suffix either way
    (suffix_at, node), _registry = found
    return suffix_at < len(labels) and (suffix_at > 0 or node.is_private)


def _suffix_lookup():
    """The offline extractor's loaded public suffix list (tldextract is pinned: its suffix lookup,
    which this calls, is the one its own parsing ends in)."""
    return _OFFLINE_EXTRACT._get_tld_extractor()


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
