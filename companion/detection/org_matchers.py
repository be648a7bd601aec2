"""The org directory turned into matchers, built once when the companion starts.

Client contacts that are emails become terms (normalized like names); contacts that
are phone numbers go to a `PhoneMatcher`. The allow list works the same way, so the
company's own name, domain, emails and phones can be told apart from everything else.

The client list is the one that can be long (100,000 names): its matchers are `ClientMatchers`,
which a start may read back built from the start cache instead of building them
(`OrgMatchers.load`, detection/client_cache.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from companion.detection.normalize import NormalizedText
from companion.detection.orglists import ListEntry, ListMatch, PhoneMatcher, TermMatcher
from companion.identities import Identities
from companion.org import Client, OrgData, load_org

_LOOKS_LIKE_PHONE = re.compile(r"^\+?[\d\s().\-/]{7,}$")
_LOOKS_LIKE_DOMAIN = re.compile(r"^(?!-)[a-z0-9\-]+(\.[a-z0-9\-]+)+$", re.IGNORECASE)


def phone_regions(numbers: list[str]) -> list[str]:
    """The regions of the international numbers in a list (the org's and its clients'), in order.

    Here, with libphonenumber alone, rather than beside the phone recognizer (which needs Presidio):
    a client list is built in a process of its own at a first start (detection/client_prebuild.py),
    which must not pay for importing Presidio and spaCy."""
    import phonenumbers

    regions = []
    for raw in numbers:
        try:
            number = phonenumbers.parse(raw.strip(), None)
        except phonenumbers.NumberParseException:
            continue
        region = phonenumbers.region_code_for_number(number)
        if region and region not in regions:
            regions.append(region)
    return regions


def _entry(kind: str, label: str, term: str) -> ListEntry:
    """Short all-caps aliases ("PKS") only count in capitals: "pks" is too common."""
    shout = term.isupper() and len(term.replace(" ", "")) <= 4
    return ListEntry(kind, label, term if shout else None)


@dataclass
class ClientMatchers:
    """What clients.csv becomes: names, aliases and e-mail contacts as terms, phone contacts by
    their digits, and the regions of those phones (the org's markets grow by them)."""

    terms: TermMatcher
    phones: PhoneMatcher
    phone_regions: tuple[str, ...] = ()
    # SHA-256 of the clients.csv bytes these were built from ("" when not known): a rules reload
    # whose list has the same bytes keeps these matchers (detection/client_cache.py).
    source: str = ""

    @classmethod
    def build(cls, clients: list[Client]) -> "ClientMatchers":
        terms, phones = [], []
        for client in clients:
            for term in (client.name, *client.aliases):
                terms.append((term, _entry("client", client.name, term)))
            for contact in client.contacts:
                target = phones if _LOOKS_LIKE_PHONE.match(contact) else terms
                target.append((contact, ListEntry("client_contact", client.name)))
        numbers = [p for p, _ in phones]
        return cls(TermMatcher(terms), PhoneMatcher(phones), tuple(phone_regions(numbers)))


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
    client_matchers: ClientMatchers | None = field(default=None, repr=False)  # what `clients` came from

    @classmethod
    def load(cls, org_dir: Path, cache_dir: Path | None = None,
             previous: "OrgMatchers | None" = None) -> "OrgMatchers":
        """The org directory's matchers; with a `cache_dir`, the client list's come from the start
        cache when it holds them for these bytes of clients.csv (and go there when it does not). With
        `previous` (a rules reload), its client matchers are kept when clients.csv has the bytes they
        were built from."""
        from companion.detection.client_cache import load_client_matchers

        org = load_org(org_dir, with_clients=False)  # checks the directory before clients.csv is read
        kept = previous.client_matchers if previous is not None else None
        return cls.build(org, clients=load_client_matchers(org_dir / "clients.csv", cache_dir, kept=kept))

    @classmethod
    def build(cls, org: OrgData, clients: ClientMatchers | None = None) -> "OrgMatchers":
        """Matchers for `org`; `clients`, when given, stands for `org.clients` (already built)."""
        if clients is None:
            clients = ClientMatchers.build(org.clients)
        allow_phones = [(a, ListEntry("allow", a)) for a in org.allow if _LOOKS_LIKE_PHONE.match(a)]
        return cls(
            clients=clients.terms,
            client_phones=clients.phones,
            competitors=TermMatcher((c, _entry("competitor", c, c)) for c in org.competitors),
            products=TermMatcher((p, _entry("product", p, p)) for p in org.products),
            allow_terms=TermMatcher((a, ListEntry("allow", a)) for a in org.allow
                                    if not _LOOKS_LIKE_PHONE.match(a)),
            allow_phones=PhoneMatcher(allow_phones),
            allow_domains=frozenset(a.lower() for a in org.allow if _LOOKS_LIKE_DOMAIN.match(a)),
            allow_emails=frozenset(a.lower() for a in org.allow if "@" in a),
            # The same order as the regions of all the numbers at once: the clients' first.
            markets=tuple(dict.fromkeys(org.markets + list(clients.phone_regions)
                                        + phone_regions([p for p, _ in allow_phones]))),
            identities=org.identities,
            reaction_policy=org.reaction_policy,
            client_matchers=clients,
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
        return value in self.allow_phones

    def find_clients(self, norm: NormalizedText, text: str, fuzzy: bool) -> list[ListMatch]:
        """Client names, aliases and contacts; OCR text also gets the tolerant pass."""
        found = self.clients.find(norm, text) + self.client_phones.find(text)
        if fuzzy:
            exact = {(m.start, m.end) for m in found}
            found += [m for m in self.clients.find_fuzzy(norm, text) if (m.start, m.end) not in exact]
        return found
