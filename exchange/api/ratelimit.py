"""Requests per minute per caller (token, else client address), counted in the database so that every app
process (several replicas, issue 13) enforces one limit.

A sliding window estimated from two per-minute counters (the previous minute's count weighted by how much
of it is still inside the last 60 seconds, plus this minute's): one row per caller per minute, no log of
every request. The check and the count are one write transaction: two processes counting the same row at
once conflict, `Database.write` retries the second, and the retry sees the first one's count — so
parallel requests cannot all slip under the limit. Inside one process a striped lock queues requests of
the same caller before they start, so a burst does not exhaust the retries. A refused request is not
counted. Checked before any other work is done.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import threading
from datetime import datetime, timedelta, timezone
from typing import Callable

from exchange.storage.duckdb import Database

WINDOW = 60  # seconds
ATTEMPTS = 10  # a conflict with another process counting the same caller is retried this often
PRUNE_EVERY = 500  # requests of this process between deletions of counters older than the window
_STRIPES = [threading.Lock() for _ in range(64)]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Limiter:
    """At most `per_minute` requests in any 60 seconds per caller, shared by every process on the database."""

    def __init__(self, database: Callable[[], Database], per_minute: int, clock: Callable[[], datetime] = _utc_now,
                 *, queue: bool = True):
        self.per_minute, self._database, self._clock = per_minute, database, clock
        self._queue = queue  # False only in tests of the database's own guarantee (as between two processes)
        self._requests = itertools.count(1)

    def retry_after(self, key: str) -> int:
        """0 when this request may go ahead (and count it), else the seconds to wait."""
        now = self._clock()
        minute = now.replace(second=0, microsecond=0)
        elapsed = (now - minute).total_seconds()
        db = self._database()

        def work(cur) -> int:
            found = dict(cur.execute("SELECT minute, hits FROM api_rate_limits WHERE caller = ? AND minute IN (?, ?)",
                                     [key, minute, minute - timedelta(minutes=1)]).fetchall())
            current, previous = found.get(minute, 0), found.get(minute - timedelta(minutes=1), 0)
            if previous * (WINDOW - elapsed) / WINDOW + current + 1 > self.per_minute:
                return wait(previous, current, elapsed, self.per_minute)
            # An UPDATE costs a third of an upsert here; a concurrent first INSERT of the row fails on its key
            # and is retried, when it finds the row.
            if minute in found:
                cur.execute("UPDATE api_rate_limits SET hits = hits + 1 WHERE caller = ? AND minute = ?", [key, minute])
            else:
                cur.execute("INSERT INTO api_rate_limits (caller, minute, hits) VALUES (?, ?, 1)", [key, minute])
            return 0

        with _STRIPES[hash(key) % len(_STRIPES)] if self._queue else contextlib.nullcontext():
            # bump=False: a counter is not data; no cache or index depends on it.
            waited = db.write(work, bump=False, attempts=ATTEMPTS)
        if next(self._requests) % PRUNE_EVERY == 0:
            self.prune(now)
        return waited

    def prune(self, now: datetime | None = None) -> None:
        """Delete the counters no window can reach any more (every process does this now and then)."""
        before = (now or self._clock()).replace(second=0, microsecond=0) - timedelta(minutes=1)
        self._database().write(lambda cur: cur.execute("DELETE FROM api_rate_limits WHERE minute < ?", [before]),
                               bump=False)


def wait(previous: int, current: int, elapsed: float, limit: int) -> int:
    """Whole seconds until one more request fits under the estimate (at least 1)."""
    if current + 1 > limit:  # not before the next minute, where this minute's count becomes the previous one
        fits_at = WINDOW * (1 - (limit - 1) / current) if current else 0.0
        seconds = (WINDOW - elapsed) + fits_at
    else:
        seconds = WINDOW * (1 - (limit - 1 - current) / previous) - elapsed if previous else 0.0
    return max(1, math.ceil(seconds))
