"""Fixtures shared by every test folder: the real detection engine, built once per session.

Loading spaCy and the rule packs takes seconds, so one engine serves all tests that do
not change rules or the org directory.
"""

from __future__ import annotations

import pytest

from companion.config import Settings


@pytest.fixture(scope="session")
def detection_engine():
    from companion.runtime import build_engine

    # An OCR budget no shared machine runs out of: these tests are about what is found, and
    # a photo cut short at the 2.5 s default on a loaded CI machine finds nothing (bench/
    # measures speed).
    return build_engine(Settings(ocr_budget_s=30.0))
