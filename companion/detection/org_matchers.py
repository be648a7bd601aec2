"""The org directory turned into matchers, built once when the companion starts.

Client contacts that are emails become terms (normalized like names); contacts that
are phone numbers go to a `PhoneMatcher`. The allow list works the same way, so the
company's own name, domain, emails and phones can be told apart from everything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from companion.detection.normalize import NormalizedText, digits_only
from companion.detection.orglists import ListEntry, ListMatch, PhoneMatcher, TermMatcher
from companion.detection.recognizers.phone import phone_regions
from companion.identities import Identities
from companion.org import OrgData

_LOOKS_LIKE_PHONE = re.compile(r"^\+?[\d\s().\-/]{7,}$")
_LOOKS_LIKE_DOMAIN = re.compile(r"^(?!-)[a-z0-9\-]+(\.[a-z0-9\-]+)+$", re.IGNORECASE)


def _entry(kind: str, label: str, term: str) -> ListEntry:
    """Short all-caps aliases ("PKS") only count in capitals: "pks" is too common."""
    shout = term.isupper() and len(term.replace(" ", "")) <= 4
    return ListEntry(kind, label, term if shout else None)


@dataclass
class OrgMatchers:
    """Matchers for every list in the org directory."""

    clients: TermMatcher
    client_phones: PhoneMatcher
    competitors: TermMatcher
    products: TermMatcher
    allow_terms: TermMatcher
    allow_phones: PhoneMatcher
    allow_domains: frozenset[str]
    allow_emails: frozenset[str]
    markets: tuple[str, ...] = ()
    identities: Identities = Identities()  # the company's own identities per site (wrong-account check)
    reaction_policy: dict | None = None  # reaction_policy.yaml's cells, sent with each reaction check

    @classmethod
    def build(cls, org: OrgData) -> "OrgMatchers":
        client_terms, client_phones = [], []
        for client in org.clients:
            for term in (client.name, *client.aliases):
                client_terms.append((term, _entry("client", client.name, term)))
            for contact in client.contacts:
                target = client_phones if _LOOKS_LIKE_PHONE.match(contact) else client_terms
                target.append((contact, ListEntry("client_contact", client.name)))
        allow_phones = [(a, ListEntry("allow", a)) for a in org.allow if _LOOKS_LIKE_PHONE.match(a)]
        return cls(
            clients=TermMatcher(client_terms),
            client_phones=PhoneMatcher(client_phones),
            competitors=TermMatcher((c, _entry("competitor", c, c)) for c in org.competitors),
            products=TermMatcher((p, _entry("product", p, p)) for p in org.products),
            allow_terms=TermMatcher((a, ListEntry("allow", a)) for a in org.allow
                                    if not _LOOKS_LIKE_PHONE.match(a)),
            allow_phones=PhoneMatcher(allow_phones),
            allow_domains=frozenset(a.lower() for a in org.allow if _LOOKS_LIKE_DOMAIN.match(a)),
            allow_emails=frozenset(a.lower() for a in org.allow if "@" in a),
            markets=tuple(dict.fromkeys(org.markets + phone_regions(
                [p for p, _ in client_phones + allow_phones]))),
            identities=org.identities,
            reaction_policy=org.reaction_policy,
        )

    def allowed_spans(self, norm: NormalizedText, text: str) -> list[tuple[int, int]]:
        """Where the org's own public details stand in the text."""
        spans = [(m.start, m.end) for m in self.allow_terms.find(norm, text)]
        spans += [(m.start, m.end) for m in self.allow_phones.find(text)]
        return spans

    def is_allowed_value(self, value: str) -> bool:
        """True for the org's own emails, domains and phone numbers."""
        lowered = value.strip().lower()
        if lowered in self.allow_emails or lowered in self.allow_domains:
            return True
        if "@" in lowered:
            domain = lowered.rsplit("@", 1)[1]
            return any(domain == d or domain.endswith("." + d) for d in self.allow_domains)
        return len(digits_only(value)) >= 8 and value in self.allow_phones

    def find_clients(self, norm: NormalizedText, text: str, fuzzy: bool) -> list[ListMatch]:
        """Client names, aliases and contacts; OCR text also gets the tolerant pass."""
        found = self.clients.find(norm, text) + self.client_phones.find(text)
        if fuzzy:
            exact = {(m.start, m.end) for m in found}
            found += [m for m in self.clients.find_fuzzy(norm, text) if (m.start, m.end) not in exact]
        return found
