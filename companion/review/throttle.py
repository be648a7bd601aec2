"""Sign-in throttling for the review page: wrong admin tokens in a row make a client wait.

The token is 32 random bytes, so no throttle is needed to keep it from being guessed. This
one stops a script from hammering the sign-in form (each try costs a file read, a hash and a
log line; 179 a second were measured) and keeps the log to a few lines instead of one per try.

Per client address:

- the first `free_failures` wrong tokens in a row are answered at once (people mistype);
- each further wrong token makes the client wait, doubling from `first_wait_s` up to
  `max_wait_s` (one minute);
- while a client waits, every sign-in from it, the right token included, is refused with
  429 and `Retry-After` without being checked, so guessing gets one try per wait;
- a right token clears the count, and so does `forget_after_s` without a wrong one.

The wait never exceeds a minute, so once the wrong tokens stop, the right one gets in again
within a minute; reviewers already signed in keep their session. On a laptop every local
program reaches the page from 127.0.0.1, so there "per client" means per computer.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class _Client:
    failures: int = 0
    last_failure: float = 0.0
    wait_until: float = 0.0


@dataclass
class SignInThrottle:
    """Counts wrong tokens per client and says how long each must wait; thread-safe."""

    free_failures: int = 5
    first_wait_s: float = 1.0
    max_wait_s: float = 60.0
    forget_after_s: float = 15 * 60.0
    max_clients: int = 10_000
    clock: Callable[[], float] = time.monotonic  # tests pass their own; the server never does
    _clients: dict[str, _Client] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def wait_s(self, client: str) -> int:
        """Whole seconds `client` must still wait before its next try (0: it may try now)."""
        now = self.clock()
        with self._lock:
            state = self._clients.get(client)
            return math.ceil(state.wait_until - now) if state and state.wait_until > now else 0

    def failed(self, client: str) -> int:
        """Count a wrong token; returns the wait (whole seconds) it starts, 0 while still free."""
        now = self.clock()
        with self._lock:
            state = self._clients.get(client)
            if state is None or now - state.last_failure > self.forget_after_s:
                state = self._clients[client] = _Client(last_failure=now)
                self._forget_old(now)
            state.failures += 1
            state.last_failure = now
            over = state.failures - self.free_failures
            if over <= 0:
                return 0
            wait = min(self.first_wait_s * 2 ** min(over - 1, 32), self.max_wait_s)
            state.wait_until = now + wait
            return math.ceil(wait)

    def succeeded(self, client: str) -> None:
        """The right token: this client starts again from nothing."""
        with self._lock:
            self._clients.pop(client, None)

    def _forget_old(self, now: float) -> None:
        """Keep memory bounded: drop quiet clients, then the longest-quiet ones."""
        if len(self._clients) <= self.max_clients:
            return
        for name in [n for n, s in self._clients.items() if now - s.last_failure > self.forget_after_s]:
            del self._clients[name]
        while len(self._clients) > self.max_clients:
            del self._clients[min(self._clients, key=lambda n: self._clients[n].last_failure)]
