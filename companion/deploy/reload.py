"""Rules reload without a restart: the running companion notices a newly installed bundle.

No admin endpoint: the companion's port is open to every process on the laptop, and a reload
door there would be one more thing to guard. Instead a background thread polls the data
directory's `bundles/current.json` (an atomic rename on every install, so a changed stamp means
a complete new bundle) and rebuilds the engine around the already-loaded Presidio/spaCy analyzer
and OCR, keeping what the bundle did not change (`runtime.rebuild_engine`). Only a fully built engine is swapped in (one attribute assignment, atomic for the request
threads); if the new rules fail to load or their files do not match the signed manifest, the
companion logs why and keeps answering with the rules it has — the last good ones.
"""

from __future__ import annotations

import logging
import threading

from companion.config import Settings
from companion.deploy.errors import BundleRejected
from companion.deploy.installed import pointer_stamp, resolve_rule_dirs
from companion.errors import ConfigError

log = logging.getLogger("postguard.bundles")


class BundleWatcher:
    """Polls for a new bundle every `interval_s` and swaps `state.engine`; start/stop are idempotent."""

    def __init__(self, state, settings: Settings, interval_s: float) -> None:
        self._state = state
        self._settings = settings  # as configured: re-resolved on every reload
        self._interval_s = interval_s
        self._stamp = pointer_stamp(settings.data_dir)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "BundleWatcher":
        """Start polling on a daemon thread (it never keeps the process alive)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="rule-bundle-watcher", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop polling after the current wait."""
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            stamp = pointer_stamp(self._settings.data_dir)
            if stamp != self._stamp:
                self._stamp = stamp
                self.reload()

    def reload(self) -> bool:
        """Build an engine from the current bundle and swap it in; False (old rules kept) on error."""
        from companion.detection.start_cache import start_cache_dir
        from companion.detection.engine import refreeze_after_swap
        from companion.runtime import rebuild_engine, versions

        try:
            resolved, bundle = resolve_rule_dirs(self._settings)
            engine = rebuild_engine(resolved, self._state.engine, start_cache_dir(self._settings.data_dir))
            engine.warm_up()
        except (ConfigError, BundleRejected, OSError) as exc:
            log.error("rule bundle not loaded, keeping the rules in use: %s",
                      getattr(exc, "message", type(exc).__name__))
            return False
        self._state.engine = engine
        self._state.versions = versions(engine)
        # The warm-up froze what it found, the engine just replaced too (it was still in force):
        # freeze again without it, so that its cycles are collected now, not at the next reload.
        refreeze_after_swap()
        log.info("rules reloaded: %s (bundle %s)", engine.rules.version, bundle.version if bundle else "none")
        return True


def watch_bundles(state, settings: Settings) -> BundleWatcher | None:
    """Start watching unless reloading is off or both rules and org dirs were set explicitly."""
    if settings.bundle_poll_s <= 0 or {"rules_dir", "org_dir"} <= settings.model_fields_set:
        return None
    return BundleWatcher(state, settings, settings.bundle_poll_s).start()
