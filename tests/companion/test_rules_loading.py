"""A broken rule pack or org file names the file, the line and the field — and loads nothing."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from companion.config import Settings
from companion.errors import ConfigError
from companion.org import load_org
from companion.rules import load_rules

GOOD_RULES = Settings().rules_dir
GOOD_ORG = Settings().org_dir


@pytest.fixture
def rules_copy(tmp_path) -> Path:
    shutil.copytree(GOOD_RULES / "packs", tmp_path / "packs")
    return tmp_path


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_bad_regex_names_file_line_and_field(rules_copy):
    pack = rules_copy / "packs" / "pricing.yaml"
    _replace(pack, "'\\b(?:FOB|CIF", "'\\b(?:FOB|CIF(")
    with pytest.raises(ConfigError) as err:
        load_rules(rules_copy)
    message = str(err.value)
    assert "pricing.yaml" in message
    assert f":{_line_of(pack, '(?:FOB|CIF(')}" in message
    assert "rules[1].patterns[0].regex" in message
    assert "invalid regular expression" in message


def test_unknown_category_and_typo_key_are_errors(rules_copy):
    pack = rules_copy / "packs" / "competitor.yaml"
    _replace(pack, "category: competitor", "category: competitors")
    with pytest.raises(ConfigError, match=r"competitor\.yaml:3 category: .*unknown category"):
        load_rules(rules_copy)
    _replace(pack, "category: competitors", "category: competitor")
    _replace(pack, "    mask: none", "    mask: none\n    sevrity: warn")
    with pytest.raises(ConfigError, match=r"competitor\.yaml:\d+ rules\[0\]\.sevrity"):
        load_rules(rules_copy)


@pytest.mark.parametrize("old,new,typo,field,suggestion", [
    # a misspelt required key also leaves the real one missing; the typo is what to fix
    ("severity: info", "severty: info", "severty: info", "severty", "severity"),
    ("message:\n  en:", "messge:\n  en:", "messge:", "messge", "message"),
    ("    mask: none", "    mask: none\n    sevrity: warn", "sevrity: warn", r"rules\[0\]\.sevrity", "severity"),
    ("      match:", "      matches:", "matches:", r"rules\[0\]\.examples\.matches", "match"),
    ("    mask: none", "    mask: none\n    colour: red", "colour: red", r"rules\[0\]\.colour", None),
])
def test_an_unknown_key_is_named_with_its_own_line(rules_copy, old, new, typo, field, suggestion):
    pack = rules_copy / "packs" / "competitor.yaml"
    _replace(pack, old, new)
    with pytest.raises(ConfigError) as err:
        load_rules(rules_copy)
    message = str(err.value)
    assert f"competitor.yaml:{_line_of(pack, typo)} " in message, message
    assert re.search(rf"\s{field}: unknown key\b", message), message
    if suggestion:
        assert f"did you mean '{suggestion}'?" in message, message
    else:
        assert "did you mean" not in message, message
    assert "Field required" not in message


def test_praise_words_cannot_excuse_a_model_rule(rules_copy):
    pack = rules_copy / "packs" / "disparagement.yaml"
    _replace(pack, "  - id: disparagement.model_gender\n", "  - id: disparagement.model_gender\n    unless: {en: [great]}\n")
    with pytest.raises(ConfigError) as err:
        load_rules(rules_copy)
    message = str(err.value)
    assert "disparagement.yaml:" in message and "unless is for words after a lexical match" in message, message


def test_invalid_yaml_names_the_line(rules_copy):
    pack = rules_copy / "packs" / "credentials.yaml"
    _replace(pack, "severity: block", "severity: [block")
    with pytest.raises(ConfigError, match=r"credentials\.yaml:\d+: not valid YAML"):
        load_rules(rules_copy)


def test_duplicate_rule_id_across_packs(rules_copy):
    _replace(rules_copy / "packs" / "competitor.yaml", "id: competitor.named", "id: pricing.unit_price")
    with pytest.raises(ConfigError, match=r"pricing\.yaml:\d+ rules\[0\]\.id: .*already used in competitor\.yaml"):
        load_rules(rules_copy)


def test_every_rule_needs_examples(rules_copy):
    pack = rules_copy / "packs" / "competitor.yaml"
    text = pack.read_text(encoding="utf-8")
    pack.write_text(text[: text.index("    examples:")], encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rules\[0\]\.examples"):
        load_rules(rules_copy)


@pytest.fixture
def org_copy(tmp_path) -> Path:
    shutil.copytree(GOOD_ORG, tmp_path / "org")
    return tmp_path / "org"


@pytest.mark.parametrize("content,line,field", [
    ("client,aliases,contacts\nA GmbH,,\n", 1, "header"),
    ("name,aliases,contacts\nA GmbH,,\nB Ltd,x,y,z\n", 3, "row"),
    ("name,aliases,contacts\nA GmbH,,\n,alias,\n", 3, "name"),
    ("name,aliases,contacts,notes\nA GmbH,,,\n", 1, "header"),
])
def test_broken_clients_csv_names_line_and_field(org_copy, content, line, field):
    (org_copy / "clients.csv").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_org(org_copy)
    assert f"clients.csv:{line} {field}:" in str(err.value)


def test_clients_csv_that_is_not_utf8(org_copy):
    (org_copy / "clients.csv").write_bytes("name,aliases,contacts\nA GmbH,,\nM\xfcller AG,,\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"clients\.csv:3: the file is not UTF-8"):
        load_org(org_copy)


def test_example_org_loads_with_every_client():
    org = load_org(GOOD_ORG)
    assert len(org.clients) == 10
    assert org.clients[0].aliases == ("Hansen MB", "Hansen Maschinenbau")


def test_unterminated_quote_in_clients_csv(org_copy):
    (org_copy / "clients.csv").write_text('name,aliases,contacts\nA GmbH,,\n"B Ltd,x,y\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"clients\.csv:\d+: malformed CSV"):
        load_org(org_copy)
