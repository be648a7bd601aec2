"""An e-mail address's domain is judged as tldextract judges it, whichever way it is looked up.

`email.domain_has_public_suffix` sends a plain domain straight to the public suffix lookup
instead of through tldextract's URL parsing (a list of addresses whose every domain is new
spent most of its time parsing). This holds the shortcut to the whole way on every suffix of
the bundled list (wildcards, exceptions, punycode), names under them, IPv4-like runs and
random domains.
"""

from __future__ import annotations

import random

from companion.detection.recognizers.email import _OFFLINE_EXTRACT, _suffix_lookup, domain_has_public_suffix

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-"


def _domains() -> list[str]:
    rnd = random.Random(2026)
    word = lambda: "".join(rnd.choice(_ALPHABET) for _ in range(rnd.randrange(1, 8)))  # noqa: E731
    domains = {"a.com", "co.uk", "x.co.uk", "www.ck", "a.www.ck", "b.ck", "city.kawasaki.jp", "x.kawasaki.jp",
               "a.b", "github.io", "a.github.io", "xn--p1ai", "a.xn--p1ai", "-.com", "1.2.3.4", "999.1.1.1"}
    for suffix in _suffix_lookup().tlds_incl_private:
        plain = suffix.lower().replace("*", word()).lstrip("!")
        domains |= {plain, f"{word()}.{plain}", f"xn--{word()}.{plain}"}
    for _ in range(5_000):
        domains.add(".".join(word() for _ in range(rnd.randrange(2, 6))))
        domains.add(".".join(str(rnd.randrange(300)) for _ in range(rnd.choice((3, 4, 5)))))
    return sorted(d for d in domains if d.isascii())


def test_a_plain_domain_gets_the_answer_tldextract_gives():
    differ = [d for d in _domains()
              if domain_has_public_suffix.__wrapped__(d) != (_OFFLINE_EXTRACT(d).fqdn != "")]
    assert differ == []


def test_names_under_a_suffix_are_domains_and_bare_suffixes_are_not():
    assert domain_has_public_suffix("nordvik-interior.se")
    assert domain_has_public_suffix("mail.example.co.uk")
    assert not domain_has_public_suffix("co.uk")
    assert not domain_has_public_suffix("a.b")
    assert not domain_has_public_suffix("10.0.0.1")
    assert domain_has_public_suffix("bücher.de")  # not plain: the whole way
