"""Issue 7's secrets aim on the public secrets set's TEST split (never used for tuning).

The set is Nosey Parker's and gitleaks' own rule examples (tests/data/public/secrets/
DATACARD.md). Each test asserts the figure reached when the split was read after the work;
the aim (recall 0.9) is not reached, so the tests hold the reached figures and a regression
still fails.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_MEASURE = Path(__file__).parents[1] / "data" / "public" / "secrets" / "measure.py"
_spec = importlib.util.spec_from_file_location("public_secrets_measure", _MEASURE)
measure = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(measure)


@pytest.fixture(scope="module")
def figures(detection_engine):
    return measure.measure(detection_engine, measure.load("test"))


def test_secret_recall(figures):
    # aim 0.9, not reached: 0.855 (159 of 186; 0.656 blind). Misses left on train and dev are
    # vendor ids that are no secret alone, fakes written as plain words, and placeholders
    # upstream counts as secrets (docs/quality.md, "Secrets on public rule suites").
    assert figures["credentials"]["recall"] >= 0.855
    assert figures["recall credentials from gitleaks"] >= 0.887
    assert figures["recall credentials from noseyparker"] >= 0.83


def test_false_alarms_on_upstream_negatives(figures):
    # 31 of 112 (0.277; 33 blind): upstream negatives include placeholders detect-secrets'
    # plugins count as secrets and real-looking keys that gitleaks allows by its own lists
    assert figures["negatives"]["rate"] <= 0.28
    assert figures["credentials"]["precision"] >= 0.837
