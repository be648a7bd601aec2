"""Every rule's documented examples behave as documented, through the real engine."""

from __future__ import annotations

import pytest

from companion.config import Settings
from companion.rules import load_rules
from companion.rules_check import example_failures, raised_categories

RULES = load_rules(Settings().rules_dir)
CASES = [(pack, rule, example, should_match)
         for pack in RULES.packs for rule in pack.rules
         for should_match, examples in ((True, rule.examples.match), (False, rule.examples.no_match))
         for example in examples]


@pytest.mark.parametrize("pack,rule,example,should_match", CASES,
                         ids=[f"{c[1].id}-{'match' if c[3] else 'clean'}-{i}" for i, c in enumerate(CASES)])
def test_rule_example(detection_engine, pack, rule, example, should_match):
    """A warning rule's example is judged on warnings and blocks (another rule's info note,
    such as "this mentions politics", never stops a post); an info rule's on every finding."""
    found = raised_categories(detection_engine, example, pack, rule)
    assert (pack.category in found) == should_match, f"{rule.id} on {example!r}: found {sorted(found)}"


def test_every_category_has_a_pack():
    from companion.detection.types import CATEGORIES

    # wrong_account is judged from the acting identity and identities.yaml, not read in the text by a pack
    assert sorted(p.category for p in RULES.packs) == sorted(c for c in CATEGORIES if c != "wrong_account")


def test_example_failures_reports_a_rule_that_misbehaves(detection_engine):
    """The checker itself can fail: a 'clean' example that is in fact risky is reported."""
    pack = next(p for p in detection_engine.rules.packs if p.category == "pricing")
    rule = pack.rules[0]
    broken = rule.examples.model_copy(update={"no_match": ["USD 0.42/pc FOB Ningbo"]})
    object.__setattr__(rule, "examples", broken)
    try:
        failures = example_failures(detection_engine)
    finally:
        object.__setattr__(rule, "examples", rule.examples.model_copy(update={"no_match": RULES.pack_for("pricing").rules[0].examples.no_match}))
    assert any("should not match" in f and rule.id in f for f in failures)
