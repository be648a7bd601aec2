"""What start-up built is left out of the garbage collector's full collections, and a reload
does not keep the engine it replaced frozen for good.

A full collection walks every object the companion holds (about 156,000 after start, 60 ms of
CPU), and a long post allocates enough to set one off inside a salesperson's check. The warm-up
freezes what start-up built (`engine.freeze_what_start_built`); a reload unfreezes first, so
the engine it replaced is collected by the next one. The real engine (Presidio, spaCy, the
red-line encoder), reloaded from copies of the shipped rules and example org.
"""

from __future__ import annotations

import gc
import shutil
import weakref
from pathlib import Path
from types import SimpleNamespace

import pytest

from companion.config import Settings
from companion.deploy.reload import BundleWatcher
from companion.runtime import rebuild_engine

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _unfrozen_after():
    """The freeze is process-wide: the tests after these must not run with it."""
    yield
    gc.unfreeze()


class _Cycle:
    """An object that only the collector can free (it refers to itself)."""

    def __init__(self):
        self.me = self


def _settings(tmp_path, api_engine) -> Settings:
    rules, org = tmp_path / "rules", tmp_path / "org"
    shutil.copytree(REPO_ROOT / "rules" / "packs", rules / "packs")
    shutil.copytree(REPO_ROOT / "rules" / "models", rules / "models")
    shutil.copytree(REPO_ROOT / "rules" / "org" / "example", org)
    return Settings(rules_dir=rules, org_dir=org, ocr_budget_s=api_engine.ocr_budget_s, bundle_poll_s=0)


def test_after_the_warm_up_a_full_collection_walks_none_of_what_start_up_built(api_engine):
    built_at_start = _Cycle()
    api_engine.warm_up()
    assert gc.get_freeze_count() > 0
    assert not any(o is built_at_start for o in gc.get_objects())
    after = _Cycle()  # what checks allocate is collected as before
    assert any(o is after for o in gc.get_objects())


def test_the_engine_a_reload_replaced_is_collected_by_the_next_reload(tmp_path, api_engine):
    settings = _settings(tmp_path, api_engine)
    old = rebuild_engine(settings, api_engine)
    old.probe = _Cycle()  # a cycle that lives and dies with the engine
    gone = weakref.ref(old.probe)
    old.warm_up()
    new = rebuild_engine(settings, old)
    new.warm_up()  # `old` is still in use until the swap, so it is frozen with the rest
    del old
    newer = rebuild_engine(settings, new)
    gc.collect()
    assert gone() is None
    assert newer.check_text("Call me on +971 50 123 4567")


def test_a_reload_lets_the_engine_it_replaced_be_collected_at_once(tmp_path, api_engine):
    """The bundle watcher's reload: the new engine's warm-up freezes while the old one is still in
    force; once the new one is swapped in, the old one's cycles go with the next collection."""
    settings = _settings(tmp_path, api_engine)
    state = SimpleNamespace(engine=rebuild_engine(settings, api_engine), versions=None)
    state.engine.probe = _Cycle()
    gone = weakref.ref(state.engine.probe)
    state.engine.warm_up()
    assert BundleWatcher(state, settings, 60).reload()
    gc.collect()
    assert gone() is None, "the replaced engine is still kept (frozen)"
    assert state.engine.check_text("Call me on +971 50 123 4567")

