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

    return build_engine(Settings())
