"""Background forwarding: one worker thread per sink, fed from the spool, never from a check.

A check or a decision commits its event to the local log and returns. The store then calls
`Forwarder.notify`, which only sets a flag. The response never waits for the network. Each
sink's worker wakes, reads the events after its cursor from disk, hands them to the sink
in seq order, and moves the cursor once the sink confirms them. When a sink is down, its
worker backs off exponentially (with jitter, so a fleet of laptops doesn't reconnect in
step), while the other sinks carry on. Workers also poll every few seconds, which picks
up events another process wrote (a CLI prune's checkpoint).

Lifecycle (Bitwarden-style): constructing starts nothing, `start()` and `stop()` are
idempotent, and stopping loses nothing, because the spool is on disk.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass
from typing import Sequence

from companion.audit.sinks.base import Sink, SinkUnavailable
from companion.audit.sinks.spool import Spool
from companion.errors import PostguardError

log = logging.getLogger("postguard.forward")


@dataclass(frozen=True)
class Backoff:
    """Waits between failed attempts: first_s, doubling up to max_s, each jittered to 50-100%."""

    first_s: float = 1.0
    max_s: float = 60.0

    def delay(self, failures: int) -> float:
        """How long to wait after the `failures`-th failure in a row."""
        return min(self.max_s, self.first_s * 2 ** max(0, failures - 1)) * random.uniform(0.5, 1.0)


@dataclass(frozen=True)
class SinkStatus:
    """What the forwarder can say about one sink (for logs, health and tests)."""

    sink: str
    target: str
    delivered_through: int
    backlog: int
    failures: int
    last_error: str | None


class _SinkWorker:
    """Moves one sink's cursor forward, batch by batch, on its own daemon thread."""

    def __init__(self, sink: Sink, spool: Spool, backoff: Backoff, poll_s: float, batch_size: int,
                 stopping: threading.Event):
        self.sink, self.spool, self.backoff = sink, spool, backoff
        self.poll_s, self.batch_size, self.stopping = poll_s, batch_size, stopping
        self.wake = threading.Event()
        self.failures = 0
        self.last_error: str | None = None
        self.thread = threading.Thread(target=self._run, name=f"forward-{sink.name}", daemon=True)

    def _run(self) -> None:
        while not self.stopping.is_set():
            self.wake.clear()  # before reading, so a notify during the read is not lost
            try:
                batch = self.spool.pending(self.sink.name, self.batch_size)
                if batch:
                    self.sink.deliver(batch, self.spool.laptop_id)
                    self.spool.mark_delivered(self.sink.name, batch[-1], self.sink.describe())
                    self._recovered(len(batch))
                    continue
            except PostguardError as exc:
                self._failed(exc.message)
            except Exception as exc:  # a bug must not end forwarding; the spool keeps the events
                self._failed(f"unexpected {type(exc).__name__} at {_where(exc)}")
            if self.failures:
                self.stopping.wait(self.backoff.delay(self.failures))
            else:
                self.wake.wait(self.poll_s)
        self.sink.close()

    def _failed(self, reason: str) -> None:
        """Log the first failure of an outage as a warning, the rest at debug level."""
        self.failures += 1
        self.last_error = reason
        level = logging.WARNING if self.failures == 1 else logging.DEBUG
        log.log(level, "audit forwarding to %s failed: %s; events wait in the spool "
                "(attempt %d)", self.sink.describe(), reason, self.failures)

    def _recovered(self, delivered: int) -> None:
        if self.failures:
            log.info("audit forwarding to %s resumed after %d failed attempts", self.sink.describe(),
                     self.failures)
        self.failures, self.last_error = 0, None
        log.debug("%d audit events delivered to %s", delivered, self.sink.describe())


def _where(exc: BaseException) -> str:
    """file:line where `exc` was raised; its message could quote an event, so only this is logged."""
    tb = exc.__traceback__
    while tb and tb.tb_next:
        tb = tb.tb_next
    return f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else "?"


class Forwarder:
    """Forwards every committed audit event to each sink, in the background."""

    def __init__(self, spool: Spool, sinks: Sequence[Sink], *, backoff: Backoff = Backoff(),
                 poll_s: float = 5.0, batch_size: int = 200):
        """Wire the parts together; no thread runs until `start()`."""
        self.spool = spool
        self._stopping = threading.Event()
        self._workers = [_SinkWorker(s, spool, backoff, poll_s, batch_size, self._stopping)
                         for s in sinks]
        self._started = False
        self._lock = threading.Lock()

    def start(self) -> "Forwarder":
        """Start one worker per sink (once); they first send whatever is already pending."""
        with self._lock:
            if not self._started and not self._stopping.is_set():
                self._started = True
                for worker in self._workers:
                    worker.thread.start()
                    log.info("forwarding audit events to %s", worker.sink.describe())
        return self

    def notify(self, event: dict | None = None) -> None:
        """Called by the audit store after each commit: wake the workers, never block."""
        for worker in self._workers:
            worker.wake.set()

    def status(self) -> list[SinkStatus]:
        """Per sink: cursor, backlog and the last failure, if the sink is failing."""
        return [SinkStatus(w.sink.name, w.sink.describe(), self.spool.delivered_through(w.sink.name),
                           self.spool.backlog(w.sink.name), w.failures, w.last_error)
                for w in self._workers]

    def wait_until_delivered(self, timeout_s: float) -> bool:
        """Block until every sink has confirmed every committed event, or the timeout."""
        deadline = time.monotonic() + timeout_s
        while any(s.backlog for s in self.status()):
            if time.monotonic() > deadline:
                return False
            self.notify()
            time.sleep(0.05)
        return True

    def stop(self, timeout_s: float = 15.0) -> None:
        """Stop the workers (an in-flight batch finishes or times out) and close the spool.

        A worker still waiting on a slow sink after `timeout_s` keeps the spool open and
        ends on its own; its daemon thread never holds the process up.
        """
        with self._lock:
            if self._stopping.is_set():
                return
            self._stopping.set()
        for worker in self._workers:
            worker.wake.set()
        for worker in self._workers:
            if worker.thread.is_alive():
                worker.thread.join(timeout_s)
            elif not worker.thread.ident:  # never started
                worker.sink.close()
        if not any(worker.thread.is_alive() for worker in self._workers):
            self.spool.close()
