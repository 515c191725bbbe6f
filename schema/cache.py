"""Bounded least-recently-used caches for documents, validation results and responses,
and the doorkeeper that admits an entry only on its second sight.

The caches are shared by the event loop and the worker threads that run
expensive operations, so each operation takes a lock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["LRU", "Doorkeeper"]

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    """A least-recently-used cache bounded by entry count and, optionally, total size.

    Parameters
    ----------
    max_entries
        Most entries kept; 0 disables the cache.
    max_weight
        Most total weight kept (e.g. bytes), counting the weights given to
        :meth:`put` or computed by ``weigh``.
    weigh
        The weight of a value when :meth:`put` is given none; entries heavier
        than ``max_weight`` are not kept.

    Examples
    --------
    >>> cache = LRU(2)
    >>> cache.put("a", 1); cache.put("b", 2); cache.get("a"); cache.put("c", 3)
    1
    >>> cache.get("b") is None, len(cache)
    (True, 2)
    """

    def __init__(
        self, max_entries: int, max_weight: int | None = None, weigh: Callable[[V], int] | None = None
    ) -> None:
        self.max_entries = max_entries
        self.max_weight = max_weight
        self._weigh = weigh
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is kept (without counting a hit or making it recent)."""
        return key in self._items

    @property
    def weight(self) -> int:
        """Total weight of the kept values."""
        return self._weight

    def get(self, key: K) -> V | None:
        """The value under ``key`` (now most recently used), or ``None``."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key: K, value: V, weight: int | None = None) -> None:
        """Keep ``value`` under ``key``, evicting the least recently used as needed.

        ``weight`` (e.g. the bytes of the key and the value) overrides ``weigh``.
        """
        if self.max_entries <= 0:
            return
        if weight is None:
            weight = self._weigh(value) if self._weigh is not None else 0
        if self.max_weight is not None and weight > self.max_weight:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._weight -= old[1]
            self._items[key] = (value, weight)
            self._weight += weight
            while len(self._items) > self.max_entries or (
                self.max_weight is not None and self._weight > self.max_weight
            ):
                _key, (_value, dropped) = self._items.popitem(last=False)
                self._weight -= dropped

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._items.clear()
            self._weight = 0


class Doorkeeper:
    """Which keys were seen lately: a cache admits an entry only from its key's second sight.

    A stream of one-off requests (every document different, as an attacker
    or a generated workload sends them) would otherwise fill the caches
    with entries never used again: they evict what regular clients repeat,
    and the parsed documents and plans they hold stay alive into the
    garbage collector's oldest generation, where every full collection
    walks them while the process waits. The doorkeeper keeps only the
    hashes of the keys it saw (plain integers, which the collector never
    walks), the most recent ``max_entries`` of them.

    A hash collision can only admit an entry a sight early, never change
    an answer: the caches themselves compare whole keys.

    Examples
    --------
    >>> door = Doorkeeper(2)
    >>> door.again("a"), door.again("a"), door.again("b"), door.again("c"), door.again("a")
    (False, True, False, False, False)
    >>> Doorkeeper(0).again("a")
    True
    """

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._seen)

    def again(self, key: object) -> bool:
        """Whether ``key`` was seen lately (always ``True`` when the doorkeeper is off); notes the sight."""
        if self.max_entries <= 0:
            return True
        hashed = hash(key)
        with self._lock:
            if hashed in self._seen:
                self._seen.move_to_end(hashed)
                return True
            self._seen[hashed] = None
            if len(self._seen) > self.max_entries:
                self._seen.popitem(last=False)
            return False
