"""Fixtures shared by every test folder: the real detection engine, built once per session,
and the Hypothesis profile every property and fuzz test runs under.

Loading spaCy and the rule packs takes seconds, so one engine serves all tests that do
not change rules or the org directory.

Hypothesis draws the same cases on every run (`derandomize`): a run that lands must not
depend on which cases a fresh clone happened to draw, and a failure must come back on the
next run. There is no per-example deadline (a loaded 2-core machine is slow; the tests that
care about time measure CPU time themselves). To hunt with fresh random cases, run pytest
with `--hypothesis-profile=explore`; a failure it finds prints a blob that replays it.
"""

from __future__ import annotations

import gc

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from companion.config import Settings

hypothesis_settings.register_profile("repeatable", derandomize=True, database=None, deadline=None,
                                     print_blob=True, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.register_profile("explore", deadline=None, print_blob=True,
                                     suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("repeatable")


@pytest.fixture(scope="module", autouse=True)
def _collector_unfrozen_after_the_module():
    """The engine's warm-up freezes the garbage collector for the whole process, as the companion
    wants once it is ready. A test module that warms an engine up must not leave the modules after
    it running frozen: what they build and drop would never be collected, so they would pass or
    fail on which modules ran before them."""
    yield
    gc.unfreeze()


@pytest.fixture(scope="session")
def detection_engine():
    from companion.runtime import build_engine

    # OCR and text budgets no shared machine runs out of: these tests are about what is found,
    # and a photo cut short at the 2.5 s default, or a long post at the 1.5 s default, on a
    # loaded CI machine finds less (bench/ measures speed; test_linear_time.py and
    # test_server_under_hostile_posts.py test the budgets themselves, with budgets of their own).
    return build_engine(Settings(ocr_budget_s=30.0, check_budget_s=30.0))
