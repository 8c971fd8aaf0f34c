"""Domain events from the change log reach each consumer exactly once, in order, even after a failure."""

from __future__ import annotations

import threading

import pytest

from exchange import worker
from exchange.storage import changes


def _event(db, name: str, n: int) -> None:
    db.write(lambda cur: changes.record(cur, "lesson", n, event=name, payload={"n": n}))


def _inbox(db):
    db.write(lambda cur: cur.execute("CREATE TABLE IF NOT EXISTS test_inbox (n INTEGER, event VARCHAR)"), bump=False)

    def handler(cur, change):
        cur.execute("INSERT INTO test_inbox VALUES (?, ?)", [change.payload["n"], change.event])

    return handler


def _received(db) -> list[int]:
    with db.read() as cur:
        return [r[0] for r in cur.execute("SELECT n FROM test_inbox ORDER BY rowid").fetchall()]


def test_a_new_consumer_starts_from_now_then_gets_each_event_once_in_order(fresh_db):
    handler = _inbox(fresh_db)
    _event(fresh_db, "lesson.published", 1)
    assert worker.deliver(fresh_db, "digest", handler) == 0  # history before it existed is not sent
    for n in (2, 3, 4):
        _event(fresh_db, "lesson.published", n)
    fresh_db.write(lambda cur: changes.record(cur, "lesson", 9))  # a change without an event is skipped
    assert worker.deliver(fresh_db, "digest", handler) == 3
    assert worker.deliver(fresh_db, "digest", handler) == 0
    assert _received(fresh_db) == [2, 3, 4]


def test_a_failing_handler_loses_nothing_and_is_retried(fresh_db):
    handler = _inbox(fresh_db)
    worker.deliver(fresh_db, "mail", handler)
    _event(fresh_db, "lesson.published", 1)
    _event(fresh_db, "lesson.published", 2)
    calls = []

    def flaky(cur, change):
        calls.append(change.payload["n"])
        if change.payload["n"] == 2 and calls.count(2) == 1:
            raise RuntimeError("SMTP down")
        handler(cur, change)

    with pytest.raises(RuntimeError):
        worker.deliver(fresh_db, "mail", flaky)
    assert _received(fresh_db) == [1]
    assert worker.deliver(fresh_db, "mail", flaky) == 1
    assert _received(fresh_db) == [1, 2]


def test_parallel_deliveries_never_apply_an_event_twice(fresh_db):
    handler = _inbox(fresh_db)
    worker.deliver(fresh_db, "digest", handler)
    for n in range(20):
        _event(fresh_db, "lesson.published", n)
    threads = [threading.Thread(target=worker.deliver, args=(fresh_db, "digest", handler)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _received(fresh_db) == list(range(20))


def test_the_worker_thread_delivers_in_the_background(fresh_db):
    handler = _inbox(fresh_db)
    worker.deliver(fresh_db, "digest", handler)
    _event(fresh_db, "lesson.published", 7)
    done = threading.Event()

    def notify(cur, change):
        handler(cur, change)
        done.set()

    running = worker.Worker(fresh_db, {"digest": notify}, interval=0.05)
    running.start()
    try:
        assert done.wait(10)
    finally:
        running.stopped.set()
        running.join(5)
    assert _received(fresh_db) == [7]
