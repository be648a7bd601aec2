"""Org lists: normalization, boundaries, phones, OCR tolerance, and a 100,000-name list."""

from __future__ import annotations

import random
import string

import pytest

from companion.detection.normalize import normalize, normalize_with_map, strip_legal_form
from companion.detection.org_matchers import OrgMatchers
from companion.org import Client, OrgData


@pytest.mark.parametrize("raw,normalized", [
    ("Dupont Équipement SARL", "dupont equipement sarl"),
    ("华 美 贸 易 有限公司", "华美贸易有限公司"),
    ("KOWALSKI-DOM  Sp. z o.o.", "kowalski dom sp z o o"),
])
def test_normalize(raw, normalized):
    assert normalize(raw) == normalized


def test_normalized_offsets_map_back():
    text = "Order for  Dupont Équipement!"
    norm = normalize_with_map(text)
    start = norm.text.index("dupont equipement")
    a, b = norm.span_in_original(start, start + len("dupont equipement"))
    assert text[a:b] == "Dupont Équipement"


@pytest.mark.parametrize("name,core", [
    ("hansen maschinenbau gmbh", "hansen maschinenbau"),
    ("kowalski dom sp z o o", "kowalski dom"),
    ("oceanic retail pty ltd", "oceanic retail"),
    ("深圳华美贸易有限公司", "深圳华美贸易"),
])
def test_strip_legal_form(name, core):
    assert strip_legal_form(name) == core


def _matchers(clients, allow=()):
    return OrgMatchers.build(OrgData(clients=clients, allow=list(allow)))


def test_word_boundaries_and_short_capital_aliases():
    org = _matchers([Client("Pacific Kitchen Supply LLC", ("PKS",), ())])
    hits = lambda t: [t[m.start:m.end] for m in org.find_clients(normalize_with_map(t), t, False)]
    assert hits("Order from PKS today") == ["PKS"]
    assert hits("the pks lamps") == []          # a short alias only counts in capitals
    assert hits("upkstream") == []
    assert hits("PACIFIC KITCHEN SUPPLY shipped") == ["PACIFIC KITCHEN SUPPLY"]


def test_client_phone_matches_in_any_format_but_not_a_lookalike():
    org = _matchers([Client("Hansen Maschinenbau GmbH", (), ("+49 40 3012 7788",))])
    find = lambda t: org.find_clients(normalize_with_map(t), t, False)
    assert find("call 040 3012 7788")
    assert find("call +49-40-30127788")
    assert not find("call +86 21 3012 7788")       # same last digits, another number


def test_own_phone_does_not_hide_a_personal_number_sharing_its_tail():
    org = _matchers([], allow=["+86 574 8765 4321"])
    assert org.is_allowed_value("+86 574 8765 4321")
    assert org.is_allowed_value("0574 8765 4321")
    assert not org.is_allowed_value("139 8765 4321")


def test_hundred_thousand_clients_load_and_match():
    rng = random.Random(7)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 9))) for _ in range(30000)]
    clients = [Client(f"{rng.choice(words).title()} {rng.choice(words).title()} GmbH") for _ in range(100_000)]
    clients.append(Client("Zyxwv Quorbel Handels GmbH"))
    org = _matchers(clients)
    text = "Lunch with the zyxwv quorbel handels team. " * 60
    found = org.find_clients(normalize_with_map(text), text, False)
    assert len(found) == 60
    assert all(text[m.start:m.end].lower() == "zyxwv quorbel handels" for m in found)
