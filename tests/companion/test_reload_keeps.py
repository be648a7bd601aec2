"""A rules reload keeps what the new bundle did not change, and takes everything it did.

Every signed bundle rebuilds the engine (companion/deploy/reload.py). What does not depend on the
new rules is carried over instead of built again and refilled from empty: the client matchers
when clients.csv has the same bytes, every compiled pattern whose text and flags are the same, the
red-line scores when the model files are the same, Presidio's windows and the photos' readings.
These tests reload the real engine (Presidio, spaCy, the red-line encoder) from copies of the
shipped rules and example org, changed one way at a time.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from companion.config import Settings
from companion.runtime import rebuild_engine

REPO_ROOT = Path(__file__).resolve().parents[2]
PASSWORD_RULE = "credentials.password"
# A word the shipped password pattern does not know; the changed pack adds it.
NEW_PASSWORD_WORD = "zugangscode"
POST_NEW_WORD = f"Our {NEW_PASSWORD_WORD}: Xk29qpLm7 for the demo booth."
RED_LINE_SENTENCE = "Those people are all lazy and dishonest, every single one of them."


@pytest.fixture
def dirs(tmp_path):
    """Copies of the shipped rules (packs and models) and example org, to change."""
    rules, org = tmp_path / "rules", tmp_path / "org"
    shutil.copytree(REPO_ROOT / "rules" / "packs", rules / "packs")
    shutil.copytree(REPO_ROOT / "rules" / "models", rules / "models")
    shutil.copytree(REPO_ROOT / "rules" / "org" / "example", org)
    return rules, org


def settings_for(dirs, api_engine) -> Settings:
    rules, org = dirs
    return Settings(rules_dir=rules, org_dir=org, ocr_budget_s=api_engine.ocr_budget_s, bundle_poll_s=0)


def compiled_patterns(engine) -> dict[tuple[str, str], object]:
    """(rule id, pattern text) -> the compiled RE2 pattern the engine runs."""
    return {(rule.id, p.regex): p.compiled.compiled
            for pack in engine.rules.packs for rule in pack.rules for p in (rule.patterns or ())}


def rules_found(engine, text: str) -> set[str]:
    return {f.rule for f in engine.check_text(text)}


@pytest.fixture
def encodes(monkeypatch, api_engine):
    """How many sentences the (real) red-line encoder is asked to encode from now on."""
    encoder = api_engine.semantic._encoder
    real, count = encoder.encode, []

    def counting(sentences, *args, **kwargs):
        count.extend(sentences)
        return real(sentences, *args, **kwargs)

    monkeypatch.setattr(encoder, "encode", counting)
    return count


def test_an_unchanged_bundle_keeps_patterns_client_matchers_and_red_line_scores(dirs, api_engine, encodes):
    settings = settings_for(dirs, api_engine)
    first = rebuild_engine(settings, api_engine)
    first.check_text(RED_LINE_SENTENCE)
    assert RED_LINE_SENTENCE in encodes, "the sentence was read by the model once"
    encodes.clear()

    second = rebuild_engine(settings, first)

    assert second is not first and second.rules is not first.rules
    assert second.org.client_matchers is first.org.client_matchers
    before, after = compiled_patterns(first), compiled_patterns(second)
    assert before.keys() == after.keys() and len(after) > 20
    assert all(after[key] is before[key] for key in after), "a pattern was compiled afresh"
    findings = second.check_text(RED_LINE_SENTENCE)
    assert encodes == [], "the reload forgot a sentence the model had already scored"
    assert {f.category for f in findings} == {f.category for f in first.check_text(RED_LINE_SENTENCE)}
    assert second.ocr_cache is first.ocr_cache


def test_a_changed_pattern_is_taken_and_the_others_are_kept(dirs, api_engine):
    settings = settings_for(dirs, api_engine)
    first = rebuild_engine(settings, api_engine)
    assert PASSWORD_RULE not in rules_found(first, POST_NEW_WORD)

    pack = dirs[0] / "packs" / "credentials.yaml"
    text = pack.read_text(encoding="utf-8")
    assert text.count("|pwd|pw|pass)") == 1
    pack.write_text(text.replace("|pwd|pw|pass)", f"|pwd|pw|pass|{NEW_PASSWORD_WORD})"), encoding="utf-8")
    second = rebuild_engine(settings, first)

    assert PASSWORD_RULE in rules_found(second, POST_NEW_WORD)
    assert PASSWORD_RULE not in rules_found(first, POST_NEW_WORD), "the running engine's rules changed"
    before, after = compiled_patterns(first), compiled_patterns(second)
    changed = set(after) - set(before)
    assert len(changed) == 1 and NEW_PASSWORD_WORD in next(iter(changed))[1]
    assert all(after[key] is before[key] for key in set(after) & set(before))


def test_a_changed_client_list_finds_the_new_client_and_forgets_the_removed_one(dirs, api_engine):
    settings = settings_for(dirs, api_engine)
    clients = dirs[1] / "clients.csv"
    header, removed_line, *rest = clients.read_text(encoding="utf-8").splitlines()
    removed = removed_line.split(",")[0]
    first = rebuild_engine(settings, api_engine)
    assert "client.named" in rules_found(first, f"Signed the yearly order with {removed} today.")

    clients.write_text("\n".join([header, *rest, "Okonkwo Freight Nigeria Ltd.,Okonkwo Freight,"]) + "\n",
                       encoding="utf-8")
    second = rebuild_engine(settings, first)

    assert second.org.client_matchers is not first.org.client_matchers
    assert "client.named" in rules_found(second, "Loading the containers for Okonkwo Freight today.")
    assert "client.named" not in rules_found(second, f"Signed the yearly order with {removed} today.")
    assert "client.named" not in rules_found(first, "Loading the containers for Okonkwo Freight today.")


def test_a_changed_model_file_scores_sentences_again(dirs, api_engine, encodes):
    import json

    settings = settings_for(dirs, api_engine)
    first = rebuild_engine(settings, api_engine)
    first.check_text(RED_LINE_SENTENCE)
    encodes.clear()

    meta_path = dirs[0] / "models" / "redline" / "model.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["version"] = int(meta["version"]) + 1  # a new head release (same weights, still valid)
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    second = rebuild_engine(settings, first)

    second.check_text(RED_LINE_SENTENCE)
    assert RED_LINE_SENTENCE in encodes, "scores of the old model were kept for the new one"
    assert second.semantic.versions()["redline"] == meta["version"]


def test_a_changed_long_list_is_built_beside_the_checks_and_read_from_the_start_cache(tmp_path, api_engine, caplog):
    """A long list's new build runs in a process of its own (the checks keep the GIL meanwhile),
    into the start cache, so the reload and the next start both read it from there."""
    import logging

    from test_start_cache import _write_clients

    from companion.detection import client_cache

    org = tmp_path / "org"
    shutil.copytree(REPO_ROOT / "rules" / "org" / "example", org)
    names = _write_clients(org / "clients.csv", 6000)
    assert (org / "clients.csv").stat().st_size >= client_cache.MIN_BYTES
    settings = Settings(org_dir=org, ocr_budget_s=api_engine.ocr_budget_s, bundle_poll_s=0)
    cache_dir = tmp_path / "cache"
    first = rebuild_engine(settings, api_engine, cache_dir)
    with (org / "clients.csv").open("a", encoding="utf-8") as handle:
        handle.write("Okonkwo Freight Nigeria Ltd.,Okonkwo Freight,\n")
    caplog.set_level(logging.INFO, logger="postguard")
    caplog.clear()
    second = rebuild_engine(settings, first, cache_dir)

    assert "client list: built by a process of its own" in caplog.text
    assert f"matchers read from {client_cache.cached_path(org / 'clients.csv', cache_dir)}" in caplog.text
    assert "client.named" in rules_found(second, "Loading the containers for Okonkwo Freight today.")
    assert "client.named" in rules_found(second, f"Signed the yearly order with {names[4000]} today.")
    assert "client.named" not in rules_found(first, "Loading the containers for Okonkwo Freight today.")
