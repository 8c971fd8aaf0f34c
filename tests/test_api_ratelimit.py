"""The API's rate limit is kept in the database (issue 12.4): every process on it enforces one limit per caller,
parallel requests cannot slip under it, a refused request is not counted, and the window slides."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import pytest

from exchange.api import ratelimit
from exchange.api.ratelimit import Limiter
from tests.pg_support import second_handle


class Clock:
    """A settable UTC clock."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def admitted(limiter: Limiter, key: str, n: int) -> int:
    return sum(limiter.retry_after(key) == 0 for _ in range(n))


def test_two_database_handles_share_one_limit(fresh_db):
    other = second_handle(fresh_db)  # a second handle on the same file, as a second app process would count
    try:
        clock = Clock(datetime(2026, 3, 2, 9, 0, 10))
        first, second = Limiter(lambda: fresh_db, 5, clock), Limiter(lambda: other, 5, clock)
        assert admitted(first, "client:10.0.0.1", 3) == 3
        assert admitted(second, "client:10.0.0.1", 3) == 2  # the other handle's three already count
        assert first.retry_after("client:10.0.0.1") > 0
        assert admitted(second, "client:10.0.0.2", 5) == 5  # callers are counted apart
    finally:
        other.close()


@pytest.mark.parametrize("queue", [True, False], ids=["queued-in-process", "database-only"])
def test_parallel_requests_never_exceed_the_limit(fresh_db, queue):
    other = second_handle(fresh_db)
    try:
        clock = Clock(datetime(2026, 3, 2, 9, 0, 10))
        limiters = [Limiter(lambda: db, 10, clock, queue=queue) for db in (fresh_db, other)]
        outcomes, start = [], threading.Barrier(24)

        def call(limiter):
            start.wait()
            try:
                outcomes.append(limiter.retry_after("token:abc"))
            except Exception as exc:  # noqa: BLE001 — a conflict reported after the retries counts as refused
                outcomes.append(exc)
        threads = [threading.Thread(target=call, args=(limiters[i % 2],)) for i in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(o == 0 for o in outcomes) == 10
        with fresh_db.read() as cur:
            assert cur.execute("SELECT sum(hits) FROM api_rate_limits").fetchone()[0] == 10
    finally:
        other.close()


def test_a_refused_request_is_not_counted_and_the_window_slides(fresh_db):
    clock = Clock(datetime(2026, 3, 2, 9, 0, 50))
    limiter = Limiter(lambda: fresh_db, 4, clock)
    assert admitted(limiter, "client:a", 6) == 4
    with fresh_db.read() as cur:
        assert cur.execute("SELECT hits FROM api_rate_limits").fetchone()[0] == 4
    clock.at = datetime(2026, 3, 2, 9, 1, 20)  # 30 s later: 4 × 40/60 ≈ 2.7 of the last minute still count
    assert admitted(limiter, "client:a", 3) == 1
    clock.at = datetime(2026, 3, 2, 9, 2, 30)  # the 9:00 requests are out of every window now
    assert admitted(limiter, "client:a", 4) == 3  # 9:01's one request still weighs 1 × 30/60


def test_retry_after_says_when_a_request_fits_again(fresh_db):
    clock = Clock(datetime(2026, 3, 2, 9, 0, 0))
    limiter = Limiter(lambda: fresh_db, 2, clock)
    admitted(limiter, "client:a", 2)
    wait = limiter.retry_after("client:a")
    assert 60 <= wait <= 90
    clock.at += timedelta(seconds=wait)
    assert limiter.retry_after("client:a") == 0


def test_old_counters_are_pruned(fresh_db, monkeypatch):
    monkeypatch.setattr(ratelimit, "PRUNE_EVERY", 3)
    clock = Clock(datetime(2026, 3, 2, 9, 0, 0))
    limiter = Limiter(lambda: fresh_db, 100, clock)
    limiter.retry_after("client:old")
    clock.at = datetime(2026, 3, 2, 9, 5, 0)
    limiter.retry_after("client:new")
    limiter.retry_after("client:new")
    with fresh_db.read() as cur:
        assert [r[0] for r in cur.execute("SELECT caller FROM api_rate_limits").fetchall()] == ["client:new"]


def test_counting_a_request_is_cheap(fresh_db):
    limiter = Limiter(lambda: fresh_db, 1_000_000, ratelimit._utc_now)
    limiter.retry_after("client:warm")
    started = time.perf_counter()
    for i in range(200):
        assert limiter.retry_after(f"client:{i % 20}") == 0
    per_request = (time.perf_counter() - started) / 200
    assert per_request < 0.02, f"{per_request * 1000:.1f} ms per request"
