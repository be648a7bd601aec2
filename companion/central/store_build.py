"""What a central store lacks for the review tool, built in the background while the service serves.

A store made before the review page's tables and indexes existed (laptops wrote straight into it,
or an older version ran it) needs minutes to get them on millions of events: indexes on the
events built concurrently, the older events counted in batches (companion/audit/sinks/
pg_review_tables.py), and the short-search index (short_search.py). `central init-db` builds them
and waits; `central serve` listens at once and leaves them to a `StoreBuilder` thread:

- **One builder for all instances.** The instance that takes the advisory lock `BUILDER_LOCK`
  builds; the others poll for it, and one of them takes over when the builder's session ends.
- **A build that was killed** stops in PostgreSQL too: the builder's connection sets
  `client_connection_check_interval`, so the server ends a build whose service went away within
  seconds and lets go of the lock, instead of finishing an index nobody waits for. What it leaves
  behind is taken up by the next builder: an INVALID index is dropped and built again
  (pg_index_build.py), the counting goes on from its last batch (pg_review_backfill.py).
- **Meanwhile** laptops' events are taken as always, and the review page reads the events
  directly: every result is there, pages are slower. `status()` says how far the build is, whoever
  runs it, for /health (health.py) and a notice on the review and approval pages.

The percentage is an estimate from the steps done (each index counts one, counting the older events
three, a running index build by its phase), not a measure of time.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass

from companion.audit.sinks.pg_connect import connect
from companion.audit.sinks.pg_index_build import IndexesNotBuilt, held_elsewhere, index_progress, unlock
from companion.audit.sinks.pg_review_tables import BUILD_LOCK, build_steps, ensure_review_tables
from companion.central import short_search
from companion.central.db import CentralStore
from companion.errors import PostguardError

log = logging.getLogger("postguard.central")

BUILDER_LOCK = "hashtext('postguard_central_store_build')"
DEAD_CLIENT_CHECK = "5s"  # how soon PostgreSQL ends the build of a service that went away
SHORT_SEARCH_STEP = "short-search index"


@dataclass(frozen=True)
class BuildStatus:
    """How far the store is with what the review tool needs.

    `state`: "ready"; "building" (this instance or another session is at it); "waiting" (nobody is
    building yet: an instance is about to take it up); "failed" (this instance could not build it,
    `problem` says why); "unknown" (the database did not answer)."""

    state: str
    percent: int = 0
    builder: str | None = None     # "this instance" or "another instance", while building
    missing: tuple[str, ...] = ()  # the steps not done yet
    problem: str | None = None

    @property
    def ready(self) -> bool:
        return self.state == "ready"

    def as_json(self) -> dict:
        """For /health: the state, the percentage, who builds, what is missing and what went wrong."""
        return {"state": self.state, "percent": self.percent, "builder": self.builder,
                "missing": list(self.missing), "problem": self.problem}


READY = BuildStatus("ready", 100)


@dataclass(frozen=True)
class Progress:
    """The store's steps read from its catalogue, the same from every instance."""

    percent: int
    missing: tuple[str, ...]
    someone_building: bool

    @property
    def ready(self) -> bool:
        return not self.missing


def read_progress(conn) -> Progress:
    """Which steps are done and how far the running ones are (pg_review_tables.build_steps and the
    short-search index), and whether any session holds a builders' lock."""
    steps = build_steps(conn)
    steps[SHORT_SEARCH_STEP] = (1.0, index_progress(conn, [short_search.INDEX])[short_search.INDEX])
    missing = tuple(name for name, (_, done) in steps.items() if done < 1.0)
    total = sum(weight for weight, _ in steps.values())
    percent = 100 if not missing else min(99, int(100 * sum(w * d for w, d in steps.values()) / total))
    building = any(held_elsewhere(conn, lock) for lock in (BUILDER_LOCK, BUILD_LOCK, short_search.LOCK))
    return Progress(percent, missing, building)


class StoreBuilder:
    """The background build of one service instance; `start()` and `stop()` may be called twice."""

    def __init__(self, store: CentralStore, *, poll_s: float = 5.0, status_max_age_s: float = 2.0):
        self.store, self.poll_s, self.status_max_age_s = store, poll_s, status_max_age_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._building_here = False
        self._problem: str | None = None
        self._ready = False
        self._cached: tuple[float, BuildStatus] | None = None
        self._lock = threading.Lock()

    def start(self) -> "StoreBuilder":
        """Start the thread (once)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="store-build", daemon=True)
                self._thread.start()
        return self

    def stop(self) -> None:
        """Stop waiting for another instance; a build of this one stops with the process."""
        self._stop.set()

    def status(self) -> BuildStatus:
        """How far the build is (read from the store at most every `status_max_age_s`); never raises."""
        import psycopg

        if self._ready:
            return READY
        cached = self._cached
        if cached and time.monotonic() - cached[0] < self.status_max_age_s:
            return cached[1]
        try:
            with self.store.connection() as conn:
                progress = read_progress(conn)
        except (psycopg.Error, PostguardError):
            return BuildStatus("unknown")
        status = self._status_of(progress)
        self._cached = (time.monotonic(), status)
        return status

    def _status_of(self, progress: Progress) -> BuildStatus:
        if progress.ready:
            self._ready = True
            return READY
        if self._problem and not progress.someone_building:
            return BuildStatus("failed", progress.percent, missing=progress.missing, problem=self._problem)
        if self._building_here or progress.someone_building:
            return BuildStatus("building", progress.percent,
                               "this instance" if self._building_here else "another instance", progress.missing)
        return BuildStatus("waiting", progress.percent, missing=progress.missing)

    def _run(self) -> None:
        import psycopg

        started, conn = time.monotonic(), None
        try:
            while not self._stop.is_set():
                try:
                    if conn is None or conn.closed:
                        conn = connect(self.store.db, autocommit=True)
                        with contextlib.suppress(psycopg.Error):  # PostgreSQL 14 and later
                            conn.execute(f"SET client_connection_check_interval = '{DEAD_CLIENT_CHECK}'")
                    if self._take_turn(conn, started):
                        return
                except (psycopg.OperationalError, PostguardError) as exc:  # the database went away: try again
                    log.warning("central: building the review page's tables waits for the database (%s)",
                                type(exc).__name__)
                    conn = None
                self._stop.wait(self.poll_s)
        finally:
            if conn is not None:
                conn.close()

    def _take_turn(self, conn, started: float) -> bool:
        """Build, when no other instance is; True once there is nothing more for this thread to do."""
        progress = read_progress(conn)
        if progress.ready:
            self._ready = True
            return True
        if not conn.execute(f"SELECT pg_try_advisory_lock({BUILDER_LOCK})").fetchone()[0]:
            return False  # another instance builds; poll, and take over if it goes away
        try:
            self._building_here = True
            log.info("central: building what the review page lacks in the background (%s); events are taken "
                     "and the review page reads them directly meanwhile", ", ".join(progress.missing))
            notes = self._build(conn)
        finally:
            self._building_here = False
            unlock(conn, BUILDER_LOCK)
        progress = read_progress(conn)
        if progress.ready:
            self._ready = True
            log.info("central: the review page's tables and indexes are ready (built here in %.0f s)",
                     time.monotonic() - started)
            return True
        if progress.someone_building or self._stop.is_set():
            return self._stop.is_set()  # a laptop's sink or `init-db` is at a part: wait for it
        self._problem = "; ".join(notes) or f"not built: {', '.join(progress.missing)}"
        log.warning("central: the review page's tables and indexes were not all built (%s); the review page "
                    "reads the events directly, and the next start tries again", self._problem)
        return True

    def _build(self, conn) -> list[str]:
        import psycopg

        notes = ensure_review_tables(conn)
        try:
            short_search.build(conn, stop=self._stop, poll_s=self.poll_s)
        except psycopg.errors.InsufficientPrivilege:
            notes.append("this role may not build the index for short searches; run `postguard central init-db` "
                         "as the store's owner")
        except IndexesNotBuilt as exc:
            notes.extend(f"the index for short searches was not built: {why}" for why in exc.failed.values())
        return notes
