"""A small thread-safe LRU cache: the one shape behind every cache the engine keeps.

Photos' OCR readings, Presidio's results per window and the red-line model's scores per
sentence are all "the last N things, by key", read and written from the HTTP server's
threads at once. A plain OrderedDict is not safe there (one thread may evict the key another
is moving to the end), so each cache is one of these, with its bound stated where it is made.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, Hashable, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedLru(Generic[K, V]):
    """At most `size` entries; reading an entry makes it the newest."""

    def __init__(self, size: int):
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
