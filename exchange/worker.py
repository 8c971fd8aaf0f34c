"""Delivering domain events from the change log, each exactly once, outside the request path.

A consumer (issue 11's notifications and digests, for example) is a name and a handler. `deliver`
reads the events after the consumer's position and, in one transaction per event, runs the handler
on that transaction's cursor and moves the position past the event: the handler's effect (say, the
notification rows it inserts) and the new position commit together, so an event is never lost
(a failed handler leaves the position where it was, to try again) and never applied twice.

Exactly once holds for the handler's database effects. A handler may run again when its
transaction conflicts and is retried, so anything outside the database (an e-mail) must be sent
by a later step that reads what the handler wrote (an outbox), not by the handler itself. A
failing event holds back the consumer's later events until it succeeds.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any, Callable

from exchange.storage import changes

log = logging.getLogger(__name__)
Handler = Callable[[Any, changes.Change], None]  # (cursor of the delivering transaction, the event)
_locks: "weakref.WeakKeyDictionary[Any, dict[str, threading.Lock]]" = weakref.WeakKeyDictionary()
_guard = threading.Lock()


def deliver(db, consumer: str, handler: Handler, *, batch: int = 100) -> int:
    """Apply the handler to every event after the consumer's position (oldest first); return how many.

    A consumer seen for the first time starts from now: it is not sent the whole history.
    """
    with _guard:
        lock = _locks.setdefault(db, {}).setdefault(consumer, threading.Lock())
    delivered = 0
    with lock:  # one delivery per consumer at a time in this process; the position check guards the rest
        while True:
            with db.read() as cur:
                start = changes.position(cur, consumer)
                if start is None:
                    latest = changes.latest(cur)
                else:
                    found = changes.since(cur, start, limit=batch)
            if start is None:
                db.write(lambda cur: changes.advance(cur, consumer, latest), bump=False)
                return 0
            if not found:
                return delivered
            for event in found:
                if event.event is None:
                    continue

                def work(cur, event=event):
                    if changes.position(cur, consumer) >= event.seq:
                        return False  # delivered meanwhile by another process
                    handler(cur, event)
                    changes.advance(cur, consumer, event.seq)
                    return True

                # The handler's rows are data (e.g. notifications): the version moves, as entity "delivered:<name>".
                delivered += bool(db.write(work, entity=f"delivered:{consumer}"))
            db.write(lambda cur: changes.advance(cur, consumer, found[-1].seq), bump=False)


class Periodic(threading.Thread):
    """Runs `task(db)` every `interval` seconds outside the request path, until stopped or the database goes.

    Holds the database weakly (a closed, forgotten database ends the thread); a failing round is logged
    and the next one tries again.
    """

    def __init__(self, db, name: str, task: Callable[[Any], None], interval: float):
        super().__init__(name=name, daemon=True)
        self._db = weakref.ref(db)
        self.task = task
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            db = self._db()
            if db is None or not db.open:
                return
            try:
                self.task(db)
            except Exception:  # noqa: BLE001 — keep going: what the task derives catches up next round
                if not db.open:
                    return
                log.exception("%s failed", self.name)
            del db


class Worker(Periodic):
    """Runs `deliver` for each consumer every `interval` seconds until stopped."""

    def __init__(self, db, consumers: dict[str, Handler], interval: float = 5.0):
        self.consumers = consumers
        super().__init__(db, "exchange-worker", self._deliver_all, interval)

    def _deliver_all(self, db) -> None:
        for name, handler in self.consumers.items():
            try:
                deliver(db, name, handler)
            except Exception:  # noqa: BLE001 — the position did not move; the next round retries
                if not db.open:
                    raise
                log.exception("delivering events to %s failed", name)
