"""A time budget for one check, so no post can hold the companion for long.

Matching is linear (RE2) and Presidio only sees bounded windows, so a check's cost grows
with the length of the post and nothing else. A 100,000-character post is still a lot of
work, though, and a check runs where the salesperson waits. The engine passes one
`Deadline` through every stage and each stage stops between units of work (a rule, a
window, a sentence) once it has passed. The answer then holds what was found so far and
says the check is incomplete; the extension's policy decides what to do with that.
"""

from __future__ import annotations

import time


class Deadline:
    """`expired()` turns true `budget_s` seconds after construction, and stays true."""

    def __init__(self, budget_s: float | None):
        self._at = None if budget_s is None else time.perf_counter() + budget_s
        self.hit = False

    @classmethod
    def none(cls) -> "Deadline":
        """No budget: rule examples, evaluation and batch checks run to the end."""
        return cls(None)

    def expired(self) -> bool:
        """True once the budget is spent; the first true answer is remembered in `hit`."""
        if self._at is None:
            return False
        if not self.hit and time.perf_counter() >= self._at:
            self.hit = True
        return self.hit
