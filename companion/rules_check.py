"""Running every rule's documented examples through the real engine.

A rule's `match` examples must produce a finding of the pack's category; its `no_match`
examples must produce none. Used by `postguard rules validate` and by the tests.
"""

from __future__ import annotations

from companion.config import Settings
from companion.detection.engine import DetectionEngine


def example_failures(engine: DetectionEngine) -> list[str]:
    """One line per example that does not behave as its rule documents."""
    failures = []
    for pack in engine.rules.packs:
        for rule in pack.rules:
            for example in rule.examples.match:
                if pack.category not in raised_categories(engine, example, pack, rule):
                    failures.append(f"{rule.id}: should match example {example!r}")
            for example in rule.examples.no_match:
                if pack.category in raised_categories(engine, example, pack, rule):
                    failures.append(f"{rule.id}: should not match example {example!r}")
    return failures


def raised_categories(engine: DetectionEngine, text: str, pack, rule) -> set[str]:
    """The categories the text raises at the rule's own level: a warning rule's clean example
    ("Election week, expect slower replies") may still carry another rule's note (info), which
    never stops a post; an info rule's examples count every finding."""
    at_info = (rule.severity or pack.severity) == "info"
    return {f.category for f in engine.check_text(text) if at_info or f.severity != "info"}


def run_examples(settings: Settings) -> list[str]:
    from companion.runtime import build_engine

    return example_failures(build_engine(settings))
