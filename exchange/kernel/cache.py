"""One cache for values derived from the data: kept until the data version moves on.

Every derived value (taxonomy snapshot, dashboard aggregates, chart specs) is computed from the
database at some data version. `VersionedCache.get(db, key, compute)` returns the value computed
at the database's current version, computing it at most once per version and key even when
several threads ask at once. Entries of older versions are never served and age out of the LRU.
Keyed by the Database object itself (weakly), never `id(db)`: a closed database's address can be
reused by a new one.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, Callable, Hashable, TypeVar

from cachetools import LRUCache

T = TypeVar("T")


class VersionedCache:
    """An LRU of values per database, each stamped with the data version it was computed at."""

    def __init__(self, name: str, maxsize: int = 256):
        self.name = name
        self.maxsize = maxsize
        self._per_db: "weakref.WeakKeyDictionary[Any, LRUCache]" = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._computing: dict[tuple, threading.Lock] = {}

    def get(self, db: Any, key: Hashable, compute: Callable[[], T]) -> T:
        """The value for `key` at the database's current data version (computed once per version)."""
        version = db.data_version()
        stamped = (version, key)
        with self._lock:
            entries = self._per_db.get(db)
            if entries is None:
                entries = self._per_db[db] = LRUCache(self.maxsize)
            if stamped in entries:
                return entries[stamped]
            busy = self._computing.setdefault((id(entries), stamped), threading.Lock())
        with busy:  # one computation per (version, key); the others wait for it
            with self._lock:
                if stamped in entries:
                    return entries[stamped]
            value = compute()
            with self._lock:
                entries[stamped] = value
                self._computing.pop((id(entries), stamped), None)
        return value

    def clear(self) -> None:
        """Forget every value (the benchmark times cold computations)."""
        with self._lock:
            self._per_db.clear()
