"""Requests per minute per caller (token, else client address): a sliding window kept in this process.

The API is read-only, so a counter lost on restart costs nothing; a limit shared by several
processes would need the database (issue 13). Checked before any work is done.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

MAX_CALLERS = 50_000  # forget the oldest callers beyond this many (a flood of addresses cannot grow memory)


class Limiter:
    """At most `per_minute` requests in any 60 seconds per key."""

    def __init__(self, per_minute: int, clock=time.monotonic):
        self.per_minute, self._clock = per_minute, clock
        self._hits: dict[str, deque] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> int:
        """0 when this request may go ahead (and count it), else the seconds to wait."""
        now = self._clock()
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and now - hits[0] >= 60:
                hits.popleft()
            self._hits[key] = hits  # re-inserted: the dict's order is least recently seen first
            if len(hits) >= self.per_minute:
                return max(1, math.ceil(60 - (now - hits[0])))
            hits.append(now)
            while len(self._hits) > MAX_CALLERS:
                self._hits.pop(next(iter(self._hits)))
            return 0
